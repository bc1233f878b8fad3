// Package codec turns values into bytes and back, for the snapshot
// streams of btree's Map.Send and pagearena's Arena.Send, and defines the
// errors those streams report. Its doc also gives the streams' format.
//
// A stream frames every key and value with its length; a [Codec] turns
// one value into those bytes and back. The package has codecs for the
// integer, floating-point and string types ([Int], [Uint], [Float],
// [String]), for byte slices ([Bytes]) and for anything encoding/json
// handles ([JSON]); for other types, write a Codec (see the example).
//
// # Writing a Codec
//
// A Codec[T] is two functions. Any pair that keeps these rules works with
// Send and Receive:
//
// Append(b, v) appends the encoding of v to b and returns the extended
// slice, as strconv.AppendInt does: it leaves b[:len(b)] as it was, and it
// should allocate only when b lacks room. The encoding must depend on v
// alone, as an incremental Send compares values by their encodings. An
// Append that cannot encode v panics with an [*EncodeError]: btree's
// Map.Send recovers exactly that type and returns it as its error.
//
// Decode(b) gets exactly the bytes one Append wrote, no more (the stream
// holds each encoding's length, so an encoding need not say where it
// ends), and returns the value: Decode(Append(nil, v)) must be v again,
// for a key at least equal to v in the map's order, since Receive checks
// the order of the keys it decodes. For any input Append could not have
// written, Decode returns an error, which Receive wraps in [ErrCorrupt].
// Decode must never panic, whatever the input: a stream is hostile. It
// must neither modify nor retain b, as the caller reuses the buffer: a
// value that keeps bytes of b keeps a copy.
//
// Sends and Receives that run at once may call one Codec at once, so a
// Codec that holds state must allow that.
//
// # The ready codecs
//
// Every codec here keeps those rules, holds no state, and wraps
// [ErrInvalid] in each error its Decode returns, with a short message that
// names the codec and the fault: "codec: Int[int8]: 300 out of range".
//
// [Int] and [Uint] write varints (zigzag for Int), and [Float] the IEEE
// 754 bits, so that NaN payloads, -0 and the infinities round-trip bit for
// bit. Their Decode accepts only what Append writes: no overlong varint,
// no value out of T's range, no float of the wrong length, no byte after
// the value. So Append(Decode(b)) is b whenever Decode accepts b. Append
// does not allocate into a buffer with room, and Decode does not allocate
// unless it fails.
//
// [String] and [Bytes] write the bytes as they are, and Append does not
// allocate into a buffer with room. Their Decode accepts any input and
// copies it. Bytes' Decode never returns nil: a nil and an empty slice
// both encode as no bytes, and come back as an empty, non-nil slice.
//
// [JSON] writes what json.Marshal writes, and its Append panics with an
// *EncodeError for a value json.Marshal rejects. Its Decode is
// json.Unmarshal into a new T, which rejects trailing bytes but accepts
// more than Append writes (spaces, say).
//
// # Stream format
//
// A stream is a header, chunks, an end marker and a trailer. Integers are
// little-endian; "uvarint" is encoding/binary's; every checksum is a
// CRC-32C (Castagnoli), as hash/crc32 computes it.
//
//	header, 68 bytes:
//	  0  6  magic "COWKIT"
//	  6  1  format version, 1
//	  7  1  kind: 1 a btree.Map, 2 a pagearena.Arena
//	  8  1  flags: bit 0 set for an incremental stream; other bits 0
//	  9  7  zero
//	 16 16  the name of the snapshot the stream produces (never all zeros)
//	 32 16  the name of the base it applies to: all zeros for a full stream
//	 48  8  an arena's page size (0 for a map)
//	 56  8  an arena's size in bytes (0 for a map)
//	 64  4  checksum of bytes 0 to 63
//
//	chunk:
//	  0  4  payload length L, from 1 (the end marker: 0)
//	  4  4  records in the chunk R, from 1 to L (the end marker: 0)
//	  8  4  checksum of bytes 0 to 7 and of the payload
//	 12  L  payload
//
//	trailer, 20 bytes, after the end marker (a chunk header with L = R = 0):
//	  0  8  records in the stream: the sum of every chunk's R
//	  8  8  a map's length after the stream; an arena's data records
//	 16  4  checksum of the header's 68 bytes, every chunk's 12-byte header
//	        (the end marker's included) and the trailer's bytes 0 to 15
//
// The trailer's checksum covers the whole stream through the chunk
// checksums it covers. A receiver checks each chunk before it applies any
// of its records, and publishes nothing before the trailer checks.
//
// A map's payload is R records, each an op byte, the key, and for ops 1
// and 2 the value, each of the last two a uvarint length and that many
// bytes of the codec's encoding. Op 1 adds a key the receiver lacks (a
// full stream has no other op), 2 updates a key it has, 3 removes one. Keys
// are strictly ascending in the map's order across the whole stream.
//
// An arena's payload is R pairs of an op byte and a uvarint page number,
// then the bytes of every page whose op is 1, in the same order: a page's
// full size, or what is left of the arena for a partial last page. Op 2
// (incremental streams only) makes the page the zero page again. Page
// numbers are strictly ascending across the stream and below the arena's
// page count.
//
// Every uvarint is the shortest encoding of its value: readers refuse a
// longer one. Writers end a chunk at about 64 KiB of payload (a map's
// chunk may hold one entry more, or a larger entry alone; an arena's, at
// least one page, or a table of about 1 KiB). Readers accept chunks up to
// 1 GiB and 4 KiB for maps, and for arenas up to twice the larger of
// 64 KiB and the page size, plus 4 KiB, but never more than 1 GiB and
// 4 KiB; and they read a payload into memory as it arrives, never
// allocating ahead of the bytes received.
package codec
