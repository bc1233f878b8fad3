// Package stream is the framing that btree's and pagearena's snapshot
// streams share: a header, chunks of records, each with a CRC-32C, and a
// trailer. What a record holds is the sending package's business; the
// format as a whole is written down in the codec package's doc, for
// implementations in other languages.
//
// A Reader treats every byte as hostile: it checks each length against a
// limit before it reads, grows its buffer only as bytes arrive (so a
// forged length in a short stream costs what the stream holds, not what
// it claims), and reads exactly the stream's bytes, never past the
// trailer, so that streams may follow one another on one connection.
package stream

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync/atomic"
)

// ChunkHead is the size of a chunk's header: its payload length, its
// record count and its CRC-32C.
const ChunkHead = 12

// MaxChunk bounds a chunk's payload: 1 GiB and 4 KiB, room for the
// largest arena page with a table of records before it.
const MaxChunk = 1<<30 + 4096

// The kinds of stream.
const (
	KindMap   = 1 // a btree.Map
	KindArena = 2 // a pagearena.Arena
)

// Version is the format version a Writer writes and a Reader accepts.
const Version = 1

const (
	magic      = "COWKIT"
	headerSize = 68
	trailSize  = 20
	// flagIncremental marks a stream against a base.
	flagIncremental = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors. The codec package exports them under the same names.
var (
	// ErrCorrupt reports a stream that is not one Send could have written:
	// a bad magic number or checksum, a truncation, a record that does not
	// parse, a count that does not add up.
	ErrCorrupt = errors.New("stream corrupt")
	// ErrBase reports an incremental stream applied to a handle that does
	// not hold the snapshot it was sent against.
	ErrBase = errors.New("stream's base is not the receiver's snapshot")
	// ErrMismatch reports a well-formed stream of another kind, version or
	// shape (an arena's page size or size) than the receiver.
	ErrMismatch = errors.New("stream does not match the receiver")
)

// ID names a snapshot: 128 random bits, as btrfs names a subvolume with a
// UUID. The zero ID names none.
type ID [16]byte

// NewID returns a random ID.
func NewID() *ID {
	id := new(ID)
	for *id == (ID{}) {
		rand.Read(id[:])
	}
	return id
}

// Header is what a stream says about itself.
type Header struct {
	Kind byte
	// ID is the snapshot the stream produces; Base the one it applies to,
	// zero for a full stream.
	ID, Base ID
	// A and B are the kind's parameters: an arena's page size and size.
	A, B uint64
}

// Incremental reports whether h is a stream against a base.
func (h *Header) Incremental() bool { return h.Base != ID{} }

// Writer writes one stream.
type Writer struct {
	w      io.Writer
	whole  uint32 // CRC-32C of the header and of every chunk header
	count  uint64
	header []byte // not yet written
	err    error
}

// NewWriter returns a Writer for a stream with header h on w. The header
// goes out with the first chunk, or at Close: a sender takes its snapshot
// between the two, so that no Write (the caller's code) runs between
// naming a snapshot and holding it.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	var b [headerSize]byte
	copy(b[:], magic)
	b[6], b[7] = Version, h.Kind
	if h.Incremental() {
		b[8] = flagIncremental
	}
	copy(b[16:32], h.ID[:])
	copy(b[32:48], h.Base[:])
	binary.LittleEndian.PutUint64(b[48:], h.A)
	binary.LittleEndian.PutUint64(b[56:], h.B)
	binary.LittleEndian.PutUint32(b[64:], crc32.Checksum(b[:64], castagnoli))
	return &Writer{w: w, whole: crc32.Checksum(b[:], castagnoli), header: b[:]}, nil
}

// start writes the header if it has not gone out yet.
func (sw *Writer) start() error {
	if sw.header != nil && sw.err == nil {
		_, sw.err = sw.w.Write(sw.header)
		sw.header = nil
	}
	return sw.err
}

// Chunk writes one chunk of n records, whose payload is buf[ChunkHead:]
// followed by each of more: buf's first ChunkHead bytes are left to Chunk
// for the chunk's header, so that the header and buf go in one Write, and
// each of more in a Write of its own, without a copy (an arena's pages).
// The payload must not pass MaxChunk, and n must be from 1 to its length.
func (sw *Writer) Chunk(n int, buf []byte, more ...[]byte) error {
	if sw.start() != nil {
		return sw.err
	}
	size := len(buf) - ChunkHead
	for _, p := range more {
		size += len(p)
	}
	if size <= 0 || size > MaxChunk || n <= 0 || n > size {
		panic(fmt.Sprintf("stream: chunk of %d records in %d bytes", n, size))
	}
	h := buf[:ChunkHead]
	binary.LittleEndian.PutUint32(h[0:], uint32(size))
	binary.LittleEndian.PutUint32(h[4:], uint32(n))
	crc := crc32.Update(0, castagnoli, h[:8])
	crc = crc32.Update(crc, castagnoli, buf[ChunkHead:])
	for _, p := range more {
		crc = crc32.Update(crc, castagnoli, p)
	}
	binary.LittleEndian.PutUint32(h[8:], crc)
	sw.whole = crc32.Update(sw.whole, castagnoli, h)
	sw.count += uint64(n)
	if _, sw.err = sw.w.Write(buf); sw.err != nil {
		return sw.err
	}
	for _, p := range more {
		if _, sw.err = sw.w.Write(p); sw.err != nil {
			return sw.err
		}
	}
	return nil
}

// Close writes the end marker and the trailer, with extra, the kind's
// total (a map's length after the stream, an arena's pages with data).
func (sw *Writer) Close(extra uint64) error {
	if sw.start() != nil {
		return sw.err
	}
	var b [ChunkHead + trailSize]byte
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(b[:8], castagnoli))
	sw.whole = crc32.Update(sw.whole, castagnoli, b[:ChunkHead])
	t := b[ChunkHead:]
	binary.LittleEndian.PutUint64(t[0:], sw.count)
	binary.LittleEndian.PutUint64(t[8:], extra)
	binary.LittleEndian.PutUint32(t[16:], crc32.Update(sw.whole, castagnoli, t[:16]))
	_, sw.err = sw.w.Write(b[:])
	return sw.err
}

// Reader reads one stream.
type Reader struct {
	r     io.Reader
	limit int
	whole uint32
	count uint64
	buf   []byte
	// Extra is the trailer's kind total, set once Next has returned io.EOF.
	Extra uint64
}

// NewReader reads a stream's header from r and checks it: a stream of
// another kind or version is ErrMismatch, a bad one ErrCorrupt, and an r
// with no byte at all io.EOF. limit bounds each chunk's payload, at most
// MaxChunk.
func NewReader(r io.Reader, kind byte, limit int) (*Reader, Header, error) {
	sr := &Reader{r: r, limit: min(limit, MaxChunk)}
	var h Header
	var b [headerSize]byte
	if n, err := io.ReadFull(r, b[:]); err != nil {
		if n == 0 && err == io.EOF {
			return nil, h, io.EOF
		}
		return nil, h, sr.fail(err)
	}
	switch {
	case string(b[:6]) != magic:
		return nil, h, fmt.Errorf("%w: not a cowkit stream", ErrCorrupt)
	case binary.LittleEndian.Uint32(b[64:]) != crc32.Checksum(b[:64], castagnoli):
		return nil, h, fmt.Errorf("%w: header checksum", ErrCorrupt)
	case b[6] != Version:
		return nil, h, fmt.Errorf("%w: format version %d, want %d", ErrMismatch, b[6], Version)
	case b[7] != kind:
		return nil, h, fmt.Errorf("%w: a stream of %s, want %s", ErrMismatch, kindName(b[7]), kindName(kind))
	}
	h.Kind = b[7]
	copy(h.ID[:], b[16:32])
	copy(h.Base[:], b[32:48])
	h.A = binary.LittleEndian.Uint64(b[48:])
	h.B = binary.LittleEndian.Uint64(b[56:])
	if b[8]&^flagIncremental != 0 || string(b[9:16]) != "\x00\x00\x00\x00\x00\x00\x00" ||
		h.ID == (ID{}) || (b[8] == flagIncremental) != h.Incremental() {
		return nil, h, fmt.Errorf("%w: header flags", ErrCorrupt)
	}
	sr.whole = crc32.Checksum(b[:], castagnoli)
	return sr, h, nil
}

func kindName(k byte) string {
	switch k {
	case KindMap:
		return "a btree.Map"
	case KindArena:
		return "a pagearena.Arena"
	}
	return fmt.Sprintf("unknown kind %d", k)
}

// fail turns an error of the underlying reader into the Reader's: a
// stream that ends early is ErrCorrupt and io.ErrUnexpectedEOF.
func (sr *Reader) fail(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: truncated: %w", ErrCorrupt, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("reading stream: %w", err)
}

// Next reads and checks the next chunk and returns its payload, valid
// until the next call, and its record count, which Next has checked
// against nothing but the payload's length: 1 to len(payload). After the
// last chunk it reads and checks the trailer and returns io.EOF.
func (sr *Reader) Next() (payload []byte, n int, err error) {
	var h [ChunkHead]byte
	if _, err := io.ReadFull(sr.r, h[:]); err != nil {
		return nil, 0, sr.fail(err)
	}
	size := binary.LittleEndian.Uint32(h[0:])
	recs := binary.LittleEndian.Uint32(h[4:])
	if size == 0 && recs == 0 {
		return nil, 0, sr.trailer(h)
	}
	if int64(size) > int64(sr.limit) || recs == 0 || recs > size {
		return nil, 0, fmt.Errorf("%w: a chunk of %d records in %d bytes", ErrCorrupt, recs, size)
	}
	if err := sr.read(int(size)); err != nil {
		return nil, 0, err
	}
	crc := crc32.Update(crc32.Checksum(h[:8], castagnoli), castagnoli, sr.buf)
	if crc != binary.LittleEndian.Uint32(h[8:]) {
		return nil, 0, fmt.Errorf("%w: chunk checksum", ErrCorrupt)
	}
	sr.whole = crc32.Update(sr.whole, castagnoli, h[:])
	sr.count += uint64(recs)
	return sr.buf, int(recs), nil
}

// read reads size bytes into sr.buf, growing it as they arrive: by at
// most what it already holds, and at least 64 KiB, at a time.
func (sr *Reader) read(size int) error {
	buf := sr.buf[:0]
	for len(buf) < size {
		step := min(size-len(buf), max(len(buf), 64<<10))
		n := len(buf)
		if cap(buf)-n < step {
			buf = append(buf[:cap(buf)], make([]byte, n+step-cap(buf))...)
		}
		buf = buf[:n+step]
		if _, err := io.ReadFull(sr.r, buf[n:]); err != nil {
			sr.buf = buf[:0]
			return sr.fail(err)
		}
	}
	sr.buf = buf
	return nil
}

// trailer checks the end marker's header h and the trailer after it.
func (sr *Reader) trailer(h [ChunkHead]byte) error {
	if binary.LittleEndian.Uint32(h[8:]) != crc32.Checksum(h[:8], castagnoli) {
		return fmt.Errorf("%w: end marker checksum", ErrCorrupt)
	}
	sr.whole = crc32.Update(sr.whole, castagnoli, h[:])
	var t [trailSize]byte
	if _, err := io.ReadFull(sr.r, t[:]); err != nil {
		return sr.fail(err)
	}
	switch {
	case binary.LittleEndian.Uint32(t[16:]) != crc32.Update(sr.whole, castagnoli, t[:16]):
		return fmt.Errorf("%w: stream checksum", ErrCorrupt)
	case binary.LittleEndian.Uint64(t[0:]) != sr.count:
		return fmt.Errorf("%w: the trailer counts %d records, the chunks %d", ErrCorrupt, binary.LittleEndian.Uint64(t[0:]), sr.count)
	}
	sr.Extra = binary.LittleEndian.Uint64(t[8:])
	return io.EOF
}

// SetLimit sets the bound of each chunk's payload, at most MaxChunk.
func (sr *Reader) SetLimit(n int) { sr.limit = min(n, MaxChunk) }

// Drain reads the rest of the stream, checking every chunk and the
// trailer, so that a stream refused for its base still ends where it
// ends and the next one may follow.
func (sr *Reader) Drain() error {
	for {
		if _, _, err := sr.Next(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// Name is where a handle keeps the name of the snapshot it holds, once it
// has been sent or received: its clones copy it (Load, Store), every write
// forgets it, and Send gives the handle one if it has none. It is atomic
// because Send, a read, may name a handle that other goroutines read too.
type Name struct{ p atomic.Pointer[ID] }

// Load returns the name, or nil.
func (n *Name) Load() *ID { return n.p.Load() }

// Store sets the name.
func (n *Name) Store(id *ID) { n.p.Store(id) }

// Forget clears the name: every write calls it first. It only loads the
// name when there is none to clear, a plain load.
func (n *Name) Forget() {
	if n.p.Load() != nil {
		n.p.Store(nil)
	}
}

// Give returns the name, giving the handle a new one if it has none.
func (n *Name) Give() *ID {
	if id := n.p.Load(); id != nil {
		return id
	}
	id := NewID()
	if !n.p.CompareAndSwap(nil, id) {
		return n.p.Load() // another Send named it first
	}
	return id
}
