package main

import (
	"encoding/binary"
	"io"
	"time"

	"github.com/cowkit/cowkit/codec"
)

// The protocol between the primary and its replica, on one TCP connection,
// is three messages:
//
//	replica -> primary  hello:  the round it holds, 8 bytes big-endian (0: none)
//	primary -> replica  round:  the round's number, 8 bytes, then a btree stream
//	replica -> primary  answer: the round it holds now, 8 bytes
//
// a hello when the replica connects, then a round and its answer, and again.
// The primary sends each round against the round the replica says it holds,
// if it still has that snapshot (the last one answered, or the one sent
// since), and a full stream if not. So the one number the replica sends, on
// connecting and after every stream, is all the primary needs to pick its
// base after a cut, a reconnect or a refusal.
//
// The number is only a hint. The stream names its base, and the replica
// applies it only to that very snapshot, so a wrong number costs a refused
// stream, never a wrong replica; a refusal against the round the replica
// named makes the next stream a full one.
//
// A stream the replica refuses for its base (codec.ErrBase) has been read to
// its end, so the connection goes on. After any other error the replica
// cannot tell where the next round starts: it hangs up and connects again.

// timeout bounds every wait on the other side: an accept, a hello, an answer,
// an outcome.
const timeout = 5 * time.Second

// The codecs of the accounts: names and balances.
var (
	keyCodec   = codec.String[string]()
	valueCodec = codec.Int[int64]()
)

// writeNumber writes a round's number, as a hello, an answer or a round's
// first 8 bytes.
func writeNumber(w io.Writer, n uint64) error {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	_, err := w.Write(b[:])
	return err
}

// readNumber reads what writeNumber wrote.
func readNumber(r io.Reader) (uint64, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b[:]), nil
}
