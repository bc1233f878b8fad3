package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The commands a client proposes through raft. Each is one log entry: an op
// byte, then the op's fields, every variable-length field but the last
// prefixed with its length as a uvarint.
const (
	opPut    = 1 // key, value (the rest)
	opDelete = 2 // key (the rest)
	opCAS    = 3 // key, flags, old, new (the rest)
	opBatch  = 4 // count, then count times (key, value)
)

// CAS flags: which of old and new are present.
const (
	casOld = 1 << iota // the key must hold old (else: must be absent)
	casNew             // store new (else: delete the key)
)

// ErrCommand is what Apply answers for a log entry that is not a well-formed
// command. The FSM treats the log as input from outside: a malformed entry
// changes nothing and is answered with an error wrapping ErrCommand.
var ErrCommand = errors.New("kv: malformed command")

// A command, decoded. Keys and values point into the log entry's bytes
// until apply copies them.
type command struct {
	op       byte
	key      []byte
	old, val []byte
	flags    byte
	batch    []pair // opBatch
}

type pair struct{ key, val []byte }

// Put encodes a command that sets key to value.
func Put(key string, value []byte) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(key)+len(value))
	b = append(b, opPut)
	b = appendField(b, key)
	return append(b, value...)
}

// Delete encodes a command that removes key (if present).
func Delete(key string) []byte {
	return append([]byte{opDelete}, key...)
}

// CAS encodes a compare-and-set: if key holds old (or, with a nil old, is
// absent), set it to new (or, with a nil new, delete it). The command's
// answer is a bool, whether it swapped. Only nil means absent: an empty
// non-nil slice is an empty value.
func CAS(key string, old, new []byte) []byte {
	var flags byte
	if old != nil {
		flags |= casOld
	}
	if new != nil {
		flags |= casNew
	}
	b := make([]byte, 0, 2+2*binary.MaxVarintLen64+len(key)+len(old)+len(new))
	b = append(b, opCAS)
	b = appendField(b, key)
	b = append(b, flags)
	b = appendField(b, string(old))
	return append(b, new...)
}

// Batch accumulates puts into one command, which applies all of them at one
// log index: the way to load many keys without one raft round trip each.
type Batch struct {
	b []byte
	n int
}

// Put adds a put of key to value to the batch.
func (bt *Batch) Put(key string, value []byte) {
	if len(bt.b) == 0 {
		bt.b = append(bt.b, opBatch)
	}
	bt.b = appendField(bt.b, key)
	bt.b = appendField(bt.b, string(value))
	bt.n++
}

// Len returns the number of puts in the batch.
func (bt *Batch) Len() int { return bt.n }

// Bytes returns the encoded command (a batch of no puts is valid and does
// nothing). It aliases the batch's buffer, which the next Put or Reset
// reuses: raft keeps the bytes it is given (see Node.Apply), so give it a
// copy if the batch is to be reused.
func (bt *Batch) Bytes() []byte {
	if len(bt.b) == 0 {
		return []byte{opBatch}
	}
	return bt.b
}

// Reset empties the batch, keeping its buffer.
func (bt *Batch) Reset() { bt.b, bt.n = bt.b[:0], 0 }

func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// field reads one length-prefixed field off the front of b. The length is
// checked against what b holds before anything is sliced.
func field(b []byte) (f, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, nil, fmt.Errorf("%w: bad length", ErrCommand)
	}
	b = b[k:]
	if n > uint64(len(b)) {
		return nil, nil, fmt.Errorf("%w: field of %d bytes in %d", ErrCommand, n, len(b))
	}
	return b[:n], b[n:], nil
}

// decode parses one command without copying: its fields alias b. It checks
// the whole entry before returning, so apply never meets a half-good one.
func decode(b []byte) (command, error) {
	if len(b) == 0 {
		return command{}, fmt.Errorf("%w: empty", ErrCommand)
	}
	c := command{op: b[0]}
	b = b[1:]
	var err error
	switch c.op {
	case opPut:
		if c.key, c.val, err = field(b); err != nil {
			return command{}, err
		}
	case opDelete:
		c.key = b
	case opCAS:
		if c.key, b, err = field(b); err != nil {
			return command{}, err
		}
		if len(b) == 0 || b[0]&^(casOld|casNew) != 0 {
			return command{}, fmt.Errorf("%w: bad CAS flags", ErrCommand)
		}
		c.flags = b[0]
		if c.old, c.val, err = field(b[1:]); err != nil {
			return command{}, err
		}
		if c.flags&casOld == 0 && len(c.old) > 0 || c.flags&casNew == 0 && len(c.val) > 0 {
			return command{}, fmt.Errorf("%w: CAS field given but flagged absent", ErrCommand)
		}
	case opBatch:
		for len(b) > 0 {
			var p pair
			if p.key, b, err = field(b); err != nil {
				return command{}, err
			}
			if p.val, b, err = field(b); err != nil {
				return command{}, err
			}
			c.batch = append(c.batch, p)
		}
	default:
		return command{}, fmt.Errorf("%w: unknown op %d", ErrCommand, c.op)
	}
	return c, nil
}
