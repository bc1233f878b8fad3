package btree

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/internal/stream"
)

// The ops of a map stream's records. A full stream holds only opAdded.
const (
	opAdded   = 1
	opUpdated = 2
	opRemoved = 3
)

// chunkTarget is the payload size at which Send ends a chunk.
const chunkTarget = 64 << 10

// Send writes m to w as a snapshot stream (the format is in the codec
// package's doc), encoding keys with kc and values with vc.
//
// With a nil base the stream is full: every entry, in ascending key order.
// Otherwise it is incremental: only the changes that turn base into m,
// found with [Map.Diff], so its size and the time Send takes follow the
// change, not the map (10 changes between two million-entry snapshots make
// a stream of about 200 bytes). A receiver applies it only if it holds
// exactly base.
//
// Snapshots are named as btrfs names its subvolumes: Send gives m a
// random 128-bit name if it has none, and writes it in the stream, with
// base's name for an incremental one. Clone copies the name, any write
// clears it, and [Map.Receive] gives the receiving map the stream's. So
// base must have been sent or received, and not written since; otherwise
// Send returns an error wrapping codec.ErrBase, as no receiver can hold
// it. Values are compared by their encodings.
//
// Send reads a snapshot of m taken when it starts. It returns w's first
// error, or the *codec.EncodeError a codec panicked with. It panics if a
// codec has a nil function.
func (m *Map[K, V]) Send(w io.Writer, base *Map[K, V], kc codec.Codec[K], vc codec.Codec[V]) (err error) {
	mustCodecs(kc, vc)
	h := stream.Header{Kind: stream.KindMap, ID: *m.snap.Give()}
	if base != nil {
		id := base.snap.Load()
		if id == nil {
			return fmt.Errorf("btree: Send: %w: the base was never sent or received, or was written since", codec.ErrBase)
		}
		h.Base = *id
	}
	defer func() {
		if e, ok := recover().(*codec.EncodeError); ok {
			err = e
		} else if e != nil {
			panic(e)
		}
	}()
	s := sender[K, V]{kc: kc, vc: vc, buf: make([]byte, stream.ChunkHead, 512)}
	if s.w, err = stream.NewWriter(w, h); err != nil {
		return err
	}
	if base == nil {
		hd, n := m.hold(), m.Len()
		defer hd.release()
		if err := s.full(hd.root, hd.height); err != nil {
			return err
		}
		return s.close(n)
	}
	var x, y []byte
	eq := func(a, b V) bool {
		if sameBits(&a, &b) { // copies of one value: one encoding
			return true
		}
		x, y = vc.Append(x[:0], a), vc.Append(y[:0], b)
		return bytes.Equal(x, y)
	}
	n := m.Len()
	for c := range m.Diff(base, eq) {
		if err := s.record(opOf[c.Op], c.Key, c.New); err != nil {
			return err
		}
	}
	return s.close(n)
}

// sameBits reports whether a and b hold the same bytes: then they are
// copies of one value (or one pointer), and a codec writes one encoding
// for both. Values that differ in their bytes are compared by encoding.
func sameBits[V any](a, b *V) bool {
	n := unsafe.Sizeof(*a)
	return n == 0 || unsafe.String((*byte)(unsafe.Pointer(a)), n) == unsafe.String((*byte)(unsafe.Pointer(b)), n)
}

var opOf = [...]byte{Added: opAdded, Updated: opUpdated, Removed: opRemoved}

func mustCodecs[K, V any](kc codec.Codec[K], vc codec.Codec[V]) {
	if kc.Append == nil || kc.Decode == nil || vc.Append == nil || vc.Decode == nil {
		panic("btree: Send or Receive with a codec that has a nil function")
	}
}

// sender batches records into chunks.
type sender[K, V any] struct {
	w   *stream.Writer
	kc  codec.Codec[K]
	vc  codec.Codec[V]
	buf []byte // ChunkHead bytes for the header, then the records
	n   int
}

// full sends every entry of the subtree h at level, in order, a leaf at
// a time.
func (s *sender[K, V]) full(h *header, level int) error {
	if h == nil {
		return nil
	}
	if level > 0 {
		in := innerOf[K, V](h)
		for _, kid := range in.kids[:in.n+1] {
			if err := s.full(kid, level-1); err != nil {
				return err
			}
		}
		return nil
	}
	lf := leafOf[K, V](h)
	for i := range int(lf.n) {
		start := len(s.buf)
		s.buf = append(s.buf, opAdded)
		s.buf = appendField(s.buf, s.kc.Append, lf.keys[i])
		s.buf = appendField(s.buf, s.vc.Append, lf.vals[i])
		if err := s.added(start); err != nil {
			return err
		}
	}
	return nil
}

func (s *sender[K, V]) record(op byte, k K, v V) error {
	start := len(s.buf)
	s.buf = append(s.buf, op)
	s.buf = appendField(s.buf, s.kc.Append, k)
	if op != opRemoved {
		s.buf = appendField(s.buf, s.vc.Append, v)
	}
	return s.added(start)
}

// added counts the record appended at s.buf[start:] and ends the chunk
// once it is large enough. A record too large to join the records before
// it in one chunk goes in a chunk of its own, after them.
func (s *sender[K, V]) added(start int) error {
	s.n++
	if len(s.buf) < chunkTarget {
		return nil
	}
	if len(s.buf)-stream.ChunkHead > stream.MaxChunk && s.n > 1 {
		if err := s.w.Chunk(s.n-1, s.buf[:start]); err != nil {
			return err
		}
		s.buf = append(s.buf[:stream.ChunkHead], s.buf[start:]...)
		s.n = 1
	}
	return s.flush()
}

func (s *sender[K, V]) flush() error {
	if s.n == 0 {
		return nil
	}
	if len(s.buf)-stream.ChunkHead > stream.MaxChunk {
		return fmt.Errorf("btree: Send: an entry of %d bytes is too large for a stream", len(s.buf)-stream.ChunkHead)
	}
	err := s.w.Chunk(s.n, s.buf)
	s.buf, s.n = s.buf[:stream.ChunkHead], 0
	return err
}

func (s *sender[K, V]) close(length int) error {
	if err := s.flush(); err != nil {
		return err
	}
	return s.w.Close(uint64(length))
}

// appendField appends v with app, after its length as a uvarint.
func appendField[T any](b []byte, app func([]byte, T) []byte, v T) []byte {
	at := len(b)
	b = app(append(b, 0), v)
	n := len(b) - at - 1
	if n < 0 {
		panic("btree: a codec's Append returned less than it was given")
	}
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	var l [binary.MaxVarintLen64]byte
	w := binary.PutUvarint(l[:], uint64(n))
	b = append(b, l[1:w]...)
	copy(b[at+w:], b[at+1:at+1+n])
	copy(b[at:], l[:w])
	return b
}

// Receive reads a stream that [Map.Send] wrote with codecs that read what
// kc and vc write, and applies it to m. A full stream replaces m's
// contents; an incremental one applies only if m holds the snapshot the
// stream was sent against (its name, see Send), else Receive returns an
// error wrapping codec.ErrBase. Afterwards m holds the stream's snapshot,
// under its name, so the next incremental stream of the same sender
// applies.
//
// Receive is all-or-nothing: it builds the new contents beside m's (a
// full stream as Collect builds a map from sorted pairs, full leaves and
// no search; an incremental one on a clone of m, copying only the paths it
// changes) and publishes them only once the whole stream has been read
// and every checksum and count verified. On any error m is unchanged.
//
// It treats the stream as hostile: a truncated, corrupted or forged stream
// is an error wrapping codec.ErrCorrupt (and io.ErrUnexpectedEOF if it
// ended early), a stream of another kind codec.ErrMismatch, an empty r
// io.EOF, never a panic; memory grows with the bytes that arrive, never
// with a length the stream claims. Keys must arrive in m's order, each
// once, and an incremental stream must add only keys m lacks and update or
// remove only keys it has. Receive reads exactly the stream's bytes, so
// streams may follow one another on one connection; one refused for its
// base is read to its end and checked first, so the next can follow it.
//
// Receive panics if m was not made by New or NewFunc, or if a codec has a
// nil function.
func (m *Map[K, V]) Receive(r io.Reader, kc codec.Codec[K], vc codec.Codec[V]) error {
	m.mustOrder("Receive")
	mustCodecs(kc, vc)
	sr, h, err := stream.NewReader(r, stream.KindMap, stream.MaxChunk)
	if err != nil {
		if err == io.EOF {
			return err
		}
		return fmt.Errorf("btree: Receive: %w", err)
	}
	if h.A != 0 || h.B != 0 {
		return fmt.Errorf("btree: Receive: %w: header parameters of a map stream", codec.ErrCorrupt)
	}
	if h.Incremental() {
		if id := m.snap.Load(); id == nil || *id != h.Base {
			if err := sr.Drain(); err != nil {
				return fmt.Errorf("btree: Receive: %w", err)
			}
			return fmt.Errorf("btree: Receive: %w", codec.ErrBase)
		}
	}
	c := &Map[K, V]{search: m.search, cmp: m.cmp}
	if h.Incremental() {
		c = m.Clone()
	}
	if err := c.receive(sr, h.Incremental(), kc, vc); err != nil {
		c.Release()
		return fmt.Errorf("btree: Receive: %w", err)
	}
	m.Release()
	m.root, m.height, m.length = c.root, c.height, c.length
	c.root = nil
	id := h.ID
	m.snap.Store(&id)
	return nil
}

// receive applies the records of sr to c, a map no one else sees.
func (c *Map[K, V]) receive(sr *stream.Reader, incremental bool, kc codec.Codec[K], vc codec.Codec[V]) error {
	var last K
	first := true
	var b builder[K, V] // for a full stream
	for {
		p, n, err := sr.Next()
		if err == io.EOF {
			if !incremental {
				c.root, c.height, c.length = b.finish()
			}
			if sr.Extra != uint64(c.length) {
				return fmt.Errorf("%w: the trailer says %d entries, the stream made %d", codec.ErrCorrupt, sr.Extra, c.length)
			}
			return nil
		}
		if err != nil {
			return err
		}
		for ; n > 0; n-- {
			if len(p) == 0 {
				return fmt.Errorf("%w: a chunk holds fewer records than it says", codec.ErrCorrupt)
			}
			op := p[0]
			var k K
			var v V
			if k, p, err = field(p[1:], kc.Decode); err != nil {
				return fmt.Errorf("%w: key: %w", codec.ErrCorrupt, err)
			}
			if op != opRemoved {
				if v, p, err = field(p, vc.Decode); err != nil {
					return fmt.Errorf("%w: value: %w", codec.ErrCorrupt, err)
				}
			}
			if !first && c.cmp(last, k) >= 0 {
				return fmt.Errorf("%w: keys out of order", codec.ErrCorrupt)
			}
			first, last = false, k
			if !incremental {
				if op != opAdded {
					return fmt.Errorf("%w: %w (op %d in a full stream)", codec.ErrCorrupt, errOp, op)
				}
				b.add(k, v)
				continue
			}
			if err := c.apply(op, k, v); err != nil {
				return err
			}
		}
		if len(p) != 0 {
			return fmt.Errorf("%w: a chunk holds more than its records", codec.ErrCorrupt)
		}
	}
}

var errOp = errors.New("a change the receiver cannot apply")

// apply applies one record of an incremental stream to c.
func (c *Map[K, V]) apply(op byte, k K, v V) error {
	switch {
	case op == opAdded:
		if _, loaded := c.Swap(k, v); !loaded {
			return nil
		}
	case op == opUpdated:
		if _, loaded := c.Swap(k, v); loaded {
			return nil
		}
	case op == opRemoved:
		if _, _, ok := c.Pop(k); ok {
			return nil
		}
	}
	return fmt.Errorf("%w: %w (op %d)", codec.ErrCorrupt, errOp, op)
}

// field reads a value written by appendField from the front of p.
func field[T any](p []byte, dec func([]byte) (T, error)) (T, []byte, error) {
	var zero T
	if len(p) > 0 && p[0] < 0x80 && int(p[0]) < len(p) { // a length of one byte
		l := int(p[0]) + 1
		v, err := dec(p[1:l])
		return v, p[l:], err
	}
	l, w := binary.Uvarint(p)
	if w <= 0 || p[w-1] == 0 || l > uint64(len(p)-w) { // a longer length than needed is not Send's
		return zero, nil, errors.New("bad length")
	}
	v, err := dec(p[w : w+int(l)])
	if err != nil {
		return zero, nil, err
	}
	return v, p[w+int(l):], nil
}
