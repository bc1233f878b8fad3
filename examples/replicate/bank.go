package main

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/cowkit/cowkit/btree"
)

const balance = 1000 // every account's opening balance

// A bank is the primary's store: accounts in a btree.Map, changed by
// transfers. A transfer holds the lock for its reads and writes, and a
// snapshot is a Clone under the same lock, so a snapshot sees every transfer
// whole or not at all, and the total of its balances never changes. A
// snapshot costs O(1); the bank's next write to a node the snapshot shares
// copies that node, and the snapshot goes on seeing the old one.
type bank struct {
	mu       sync.Mutex
	accounts *btree.Map[string, int64]
	n        int
}

// openBank returns a bank of n accounts at the opening balance.
func openBank(n int) *bank {
	return &bank{accounts: openAccounts(n), n: n}
}

// openAccounts returns a map of n accounts at the opening balance.
func openAccounts(n int) *btree.Map[string, int64] {
	m := btree.New[string, int64]()
	for i := range n {
		m.Set(account(i), balance)
	}
	return m
}

func account(i int) string { return fmt.Sprintf("acct/%06d", i) }

// snapshot returns the bank as it is now, a handle of the caller's own:
// release it when done.
func (b *bank) snapshot() *btree.Map[string, int64] {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accounts.Clone()
}

// transfer moves amount from one account to another, or, if the payer
// cannot cover it, changes nothing and returns false.
func (b *bank) transfer(from, to string, amount int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	have, _ := b.accounts.Get(from)
	if have < amount {
		return false
	}
	got, _ := b.accounts.Get(to)
	b.accounts.Set(from, have-amount)
	b.accounts.Set(to, got+amount)
	return true
}

// transfers makes n transfers between random accounts, each of 1 to the
// opening balance.
func (b *bank) transfers(rng *rand.Rand, n int) {
	for range n {
		from, to := rng.IntN(b.n), rng.IntN(b.n-1)
		if to >= from {
			to++
		}
		b.transfer(account(from), account(to), 1+rng.Int64N(balance))
	}
}

// total sums the balances of m and counts its accounts.
func total(m *btree.Map[string, int64]) (sum int64, count int) {
	for _, v := range m.All() {
		sum += v
		count++
	}
	return sum, count
}
