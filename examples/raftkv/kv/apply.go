package kv

import (
	"bytes"

	"github.com/cowkit/cowkit/btree"
)

// store is the little a command needs of a state: FSM's btree and MapFSM's
// Go map both provide it, so both apply commands with run and cannot drift.
type store interface {
	get(key string) ([]byte, bool)
	set(key string, v []byte)
	del(key string)
}

// run applies a decoded command. Values are copied out of the log entry,
// whose bytes raft owns; keys are copied by the string conversion.
func run[S store](s S, c command) any {
	switch c.op {
	case opPut:
		s.set(string(c.key), bytes.Clone(c.val))
	case opDelete:
		s.del(string(c.key))
	case opBatch:
		for _, p := range c.batch {
			s.set(string(p.key), bytes.Clone(p.val))
		}
	case opCAS:
		k := string(c.key)
		cur, ok := s.get(k)
		if ok != (c.flags&casOld != 0) || ok && !bytes.Equal(cur, c.old) {
			return false
		}
		if c.flags&casNew != 0 {
			s.set(k, bytes.Clone(c.val))
		} else {
			s.del(k)
		}
		return true
	}
	return nil
}

type treeStore struct{ m *btree.Map[string, []byte] }

func (t treeStore) get(k string) ([]byte, bool) { return t.m.Get(k) }
func (t treeStore) set(k string, v []byte)      { t.m.Set(k, v) }
func (t treeStore) del(k string)                { t.m.Delete(k) }

type mapStore map[string][]byte

func (m mapStore) get(k string) ([]byte, bool) { v, ok := m[k]; return v, ok }
func (m mapStore) set(k string, v []byte)      { m[k] = v }
func (m mapStore) del(k string)                { delete(m, k) }
