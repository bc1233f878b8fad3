package pagearena

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cowkit/cowkit/codec"
	"github.com/cowkit/cowkit/internal/stream"
)

// The ops of an arena stream's records.
const (
	opData = 1 // the page's bytes follow
	opZero = 2 // the page is the zero page again (incremental streams only)
)

// chunkData is the page data at which Send ends a chunk.
const chunkData = 64 << 10

// Send writes a to w as a snapshot stream (the format is in the codec
// package's doc). The stream carries the page size and the size, which
// the receiver must share.
//
// With a nil base the stream is full, and skips the zero page: a 1 GiB
// arena with 16 MiB written sends 16 MiB and about 0.1% more. Otherwise it
// is incremental and carries only the pages [Arena.Diff] reports, so its
// size and Send's time follow the pages written since base; a receiver
// applies it only if it holds exactly base. Snapshots are named as for
// btree.Map.Send: Send names a if it has no name, Fork copies the name,
// any write (WriteAt, Discard; not Dedupe, which changes no byte) clears
// it, and Receive gives the receiver the stream's. A base that was never
// sent or received, or was written since, is an error wrapping
// codec.ErrBase; so is one of another page size or size.
//
// Send hands w the pages' own memory, with no copy: a Write per chunk for
// its header and table, then one per page (io.Writer must not change or keep what it
// is given); wrap a net.Conn in a bufio.Writer. It reads a snapshot of a
// taken when it starts, and returns w's first error.
func (a *Arena) Send(w io.Writer, base *Arena) error {
	h := stream.Header{Kind: stream.KindArena, ID: *a.snap.Give(), A: uint64(a.PageSize()), B: uint64(a.size)}
	if base != nil {
		id := base.snap.Load()
		switch {
		case id == nil:
			return fmt.Errorf("pagearena: Send: %w: the base was never sent or received, or was written since", codec.ErrBase)
		case base.PageSize() != a.PageSize() || base.size != a.size:
			return fmt.Errorf("pagearena: Send: %w: a base of another page size or size", codec.ErrBase)
		}
		h.Base = *id
	}
	sw, err := stream.NewWriter(w, h)
	if err != nil {
		return err
	}
	s := pageSender{a: a, w: sw, table: make([]byte, stream.ChunkHead, 1024)}
	if base == nil {
		x := a.hold()
		defer x.release(a.pool)
		err = s.full(x.n, x.h, 0)
	} else {
		x := a.hold() // the snapshot Diff takes too: no Write runs between them
		defer x.release(a.pool)
		for off := range a.Diff(base) {
			if err = s.record(off>>a.pool.shift, x.lookup(off>>a.pool.shift)); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = s.flush()
	}
	if err != nil {
		return err
	}
	return sw.Close(s.data)
}

// pageSender batches page records into chunks: a table of (op, page
// number) pairs, then the data of the data pages, in the same order.
type pageSender struct {
	a     *Arena
	w     *stream.Writer
	table []byte   // ChunkHead bytes for the header, then the table
	pages [][]byte // the data, by reference
	n     int      // records in the chunk
	size  int      // bytes of data in the chunk
	data  uint64   // data records in the stream
}

// full sends every page of the subtree n at level whose first page is base.
func (s *pageSender) full(n *node, level int, base int64) error {
	if n == nil {
		return nil
	}
	for i := range fanout {
		pg := base | int64(i)<<(fanBits*level)
		if level > 0 {
			if err := s.full(n.kids[i], level-1, pg); err != nil {
				return err
			}
		} else if f := n.frames[i]; f != nil {
			if err := s.record(pg, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *pageSender) record(pg int64, f *frame) error {
	if f == nil {
		s.table = binary.AppendUvarint(append(s.table, opZero), uint64(pg))
	} else {
		d := f.data[:s.a.pageLen(pg)]
		if s.n > 0 && len(s.table)-stream.ChunkHead+s.size+len(d) > stream.MaxChunk {
			if err := s.flush(); err != nil { // a huge page after other records
				return err
			}
		}
		s.table = binary.AppendUvarint(append(s.table, opData), uint64(pg))
		s.pages = append(s.pages, d)
		s.size += len(d)
		s.data++
	}
	s.n++
	if s.size >= chunkData || len(s.table) >= 1024 {
		return s.flush()
	}
	return nil
}

func (s *pageSender) flush() error {
	if s.n == 0 {
		return nil
	}
	err := s.w.Chunk(s.n, s.table, s.pages...)
	s.table, s.pages, s.n, s.size = s.table[:stream.ChunkHead], s.pages[:0], 0, 0
	return err
}

// lookup returns the frame backing page pg in the page table s, or nil
// for the zero page.
func (s side) lookup(pg int64) *frame {
	n := s.n
	for level := s.h; n != nil; level-- {
		if level == 0 {
			return n.frames[index(pg, 0)]
		}
		n = n.kids[index(pg, level)]
	}
	return nil
}

// pageLen returns the length of page pg: the page size, but for a
// partial last page.
func (a *Arena) pageLen(pg int64) int {
	return int(min(int64(a.pool.pageSize), a.size-pg<<a.pool.shift))
}

// Receive reads a stream that [Arena.Send] wrote and applies it to a. The
// stream's page size and size must be a's (else an error wrapping
// codec.ErrMismatch). A full stream replaces a's contents; an incremental
// one applies only if a holds the snapshot it was sent against (see Send),
// else the error wraps codec.ErrBase. Afterwards a holds the stream's
// snapshot, under its name.
//
// Receive is all-or-nothing: it writes the pages into a new page table in
// a's pool (for an incremental stream, a fork of a) and publishes it only
// once the whole stream has been read and verified. On any error a is
// unchanged. While it reads, the pool holds a's pages and the new ones:
// if those would pass the pool's limit, Receive fails with an error
// wrapping ErrNoSpace and gives the new frames back.
//
// It treats the stream as hostile, as btree.Map.Receive does: truncated,
// corrupted and forged streams are errors wrapping codec.ErrCorrupt, an
// empty r is io.EOF, memory grows only with the bytes that arrive; it
// reads exactly the stream's bytes, and reads a stream refused for its
// base to its end, checking it, so that the next may follow.
//
// Receive writes a, so it must not run while another goroutine uses a or
// runs Dedupe in a's pool.
func (a *Arena) Receive(r io.Reader) error {
	sr, h, err := stream.NewReader(r, stream.KindArena, 0)
	if err != nil {
		if err == io.EOF {
			return err
		}
		return fmt.Errorf("pagearena: Receive: %w", err)
	}
	if h.A != uint64(a.PageSize()) || h.B != uint64(a.size) || a.pool == nil {
		return fmt.Errorf("pagearena: Receive: %w: a stream of %d bytes in pages of %d into an arena of %d in pages of %d",
			codec.ErrMismatch, h.B, h.A, a.size, a.PageSize())
	}
	sr.SetLimit(2*max(chunkData, a.pool.pageSize) + 4096)
	if h.Incremental() {
		if id := a.snap.Load(); id == nil || *id != h.Base {
			if err := sr.Drain(); err != nil {
				return fmt.Errorf("pagearena: Receive: %w", err)
			}
			return fmt.Errorf("pagearena: Receive: %w", codec.ErrBase)
		}
	}
	var tmp *Arena
	if h.Incremental() {
		tmp = a.Fork()
	} else {
		tmp = &Arena{pool: a.pool, size: a.size}
		a.pool.track(tmp, &table{pool: a.pool, height: a.t.height})
	}
	if err := tmp.receive(sr, h.Incremental()); err != nil {
		tmp.Release()
		return fmt.Errorf("pagearena: Receive: %w", err)
	}
	p := a.pool
	p.mu.Lock()
	old := a.t.root.Load()
	a.t.root.Store(tmp.t.root.Load())
	tmp.t.root.Store(old)
	a.t.deduped, tmp.t.deduped = tmp.t.deduped, a.t.deduped
	p.mu.Unlock()
	tmp.Release()
	id := h.ID
	a.snap.Store(&id)
	return nil
}

var errPage = errors.New("a bad page record")

// receive applies the records of sr to a, an arena no one else sees.
func (a *Arena) receive(sr *stream.Reader, incremental bool) error {
	next, data := int64(0), uint64(0) // the lowest page the next record may name
	pages := a.pages()
	type rec struct {
		op byte
		pg int64
	}
	var recs []rec
	for {
		p, n, err := sr.Next()
		if err == io.EOF {
			if sr.Extra != data {
				return fmt.Errorf("%w: the trailer counts %d pages, the stream held %d", codec.ErrCorrupt, sr.Extra, data)
			}
			return nil
		}
		if err != nil {
			return err
		}
		recs = recs[:0]
		need := 0
		for ; n > 0; n-- {
			if len(p) < 2 {
				return fmt.Errorf("%w: %w: a short table", codec.ErrCorrupt, errPage)
			}
			op := p[0]
			pg, w := binary.Uvarint(p[1:])
			if w <= 0 || w > 1 && p[w] == 0 || pg >= uint64(pages) || int64(pg) < next || op != opData && (op != opZero || !incremental) {
				return fmt.Errorf("%w: %w", codec.ErrCorrupt, errPage)
			}
			p = p[1+w:]
			next = int64(pg) + 1
			recs = append(recs, rec{op, int64(pg)})
			if op == opData {
				need += a.pageLen(int64(pg))
			}
		}
		if need != len(p) {
			return fmt.Errorf("%w: %w: %d bytes of pages, want %d", codec.ErrCorrupt, errPage, len(p), need)
		}
		for _, r := range recs {
			off := r.pg << a.pool.shift
			if r.op == opZero {
				if err := a.Discard(off, int64(a.pageLen(r.pg))); err != nil {
					return err
				}
				continue
			}
			l := a.pageLen(r.pg)
			if _, err := a.WriteAt(p[:l], off); err != nil {
				return err
			}
			p = p[l:]
			data++
		}
	}
}
