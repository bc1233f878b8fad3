package rope

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// TestJSONAsSlice: a rope is written exactly as encoding/json writes the
// []T it holds, and reads back.
func TestJSONAsSlice(t *testing.T) {
	for _, n := range []int{0, 1, 300, 5000} {
		want, _ := json.Marshal(ints(n))
		r := New(ints(n)...)
		got, err := json.Marshal(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("n=%d: Marshal = %.80s, %v; want %.80s", n, got, err, want)
		}
		var back Rope[int]
		if err := json.Unmarshal(got, &back); err != nil || !slices.Equal(slices.Collect(back.Values()), ints(n)) {
			t.Fatalf("n=%d: Unmarshal: %v", n, err)
		}
	}
	type doc struct {
		Text  *Rope[byte]
		Words *Rope[string]
	}
	raw := []byte("caf\xc3\xa9 \xff<b>")
	d := doc{Text: text(string(raw)), Words: New("a", "<b>")}
	got, err := json.Marshal(d)
	want, _ := json.Marshal(struct {
		Text  []byte
		Words []string
	}{raw, []string{"a", "<b>"}})
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Marshal(doc) = %s, %v; want %s", got, err, want)
	}
	var back doc
	if err := json.Unmarshal(got, &back); err != nil || back.Text.String() != string(raw) || back.Words.String() != "[a <b>]" {
		t.Fatalf("Unmarshal(doc) = %v, %v, %v", back.Text, back.Words, err)
	}
	if got, _ := json.Marshal((*Rope[int])(nil)); string(got) != "null" {
		t.Fatalf("Marshal(nil) = %s", got)
	}
}

func TestJSONErrorsLeaveRope(t *testing.T) {
	r := New(1, 2, 3)
	c := r.Clone()
	for _, in := range []string{`[1,2,"x"]`, `[1,2`, `{"a":1}`, `"AQID"`, ``} {
		if err := r.UnmarshalJSON([]byte(in)); err == nil {
			t.Fatalf("UnmarshalJSON(%q) succeeded", in)
		}
		if got := slices.Collect(r.Values()); !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("after UnmarshalJSON(%q): %v", in, got)
		}
	}
	if err := r.UnmarshalJSON([]byte(`null`)); err != nil || r.Len() != 0 {
		t.Fatalf("null: %v, Len %d", err, r.Len())
	}
	if got := slices.Collect(c.Values()); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("the clone changed: %v", got)
	}
	noErr(t, checkRopes([]*Rope[int]{r, c}), "after the decodes")
}

func TestGob(t *testing.T) {
	for _, n := range []int{0, 1, 300, 5000} {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(New(ints(n)...)); err != nil {
			t.Fatal(err)
		}
		back := New(9)
		if err := gob.NewDecoder(&buf).Decode(back); err != nil || !slices.Equal(slices.Collect(back.Values()), ints(n)) {
			t.Fatalf("n=%d: gob round trip: %v", n, err)
		}
		noErr(t, checkRopes([]*Rope[int]{back}), "after GobDecode")
	}
}

func TestGobHostile(t *testing.T) {
	good, err := New(ints(1000)...).GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	forged := func(n int, chunks ...[]int) []byte {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		enc.Encode(n)
		for _, c := range chunks {
			enc.Encode(c)
		}
		return buf.Bytes()
	}
	for name, in := range map[string][]byte{
		"empty":           nil,
		"truncated":       good[:len(good)/2],
		"trailing":        append(slices.Clone(good), 0),
		"negative count":  forged(-1),
		"count too big":   forged(1<<40, []int{1, 2}),
		"count too small": forged(1, []int{1, 2}),
		"empty chunk":     forged(2, []int{}, []int{1, 2}),
		"wrong type":      forged(1, nil)[:3],
	} {
		r := New(7, 8)
		if err := r.GobDecode(in); err == nil || !strings.HasPrefix(err.Error(), "rope: GobDecode: ") {
			t.Fatalf("%s: GobDecode = %v, want an error", name, err)
		}
		if got := slices.Collect(r.Values()); !slices.Equal(got, []int{7, 8}) {
			t.Fatalf("%s: the rope changed: %v", name, got)
		}
	}
}

func FuzzGobDecode(f *testing.F) {
	good, _ := New(ints(300)...).GobEncode()
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := New(1)
		if err := r.GobDecode(in); err != nil {
			if r.Len() != 1 || r.At(0) != 1 {
				t.Fatalf("a failed GobDecode changed the rope")
			}
			return
		}
		noErr(t, checkRopes([]*Rope[int]{r}), "after GobDecode")
		again, err := r.GobEncode()
		if err != nil {
			t.Fatal(err)
		}
		back := new(Rope[int])
		if err := back.GobDecode(again); err != nil || !slices.Equal(slices.Collect(back.Values()), slices.Collect(r.Values())) {
			t.Fatalf("re-encoded rope does not round-trip: %v", err)
		}
	})
}

func TestFormatBytes(t *testing.T) {
	r := text("hi there")
	for _, verb := range []string{"%v", "%s", "%q", "%x", "%#v", "%d"} {
		if got, want := fmt.Sprintf(verb, r), fmt.Sprintf(verb, []byte("hi there")); got != want {
			t.Fatalf("%s: %s, want %s", verb, got, want)
		}
	}
	if got := r.String(); got != "hi there" {
		t.Fatalf("String() = %q", got)
	}
}

type ptrMarsh struct{ X int }

func (p *ptrMarsh) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type myByte uint8

type textByte uint8

func (b textByte) MarshalText() ([]byte, error) { return []byte{'t', '0' + byte(b)}, nil }

// TestJSONElementsAsInASlice: elements are addressable, as in a []T, so
// pointer-receiver marshalers run, and a byte kind without a marshaler is
// base64, by encoding/json's own rules for a []T.
func TestJSONElementsAsInASlice(t *testing.T) {
	check := func(name string, r any, plain any) {
		t.Helper()
		want, _ := json.Marshal(plain)
		got, err := json.Marshal(r)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: Marshal = %s, %v; want %s", name, got, err, want)
		}
	}
	check("pointer marshaler", New(ptrMarsh{1}, ptrMarsh{2}), []ptrMarsh{{1}, {2}})
	check("big.Int", New(*big.NewInt(5), *big.NewInt(-7)), []big.Int{*big.NewInt(5), *big.NewInt(-7)})
	check("named byte", New[myByte](1, 2, 3), []myByte{1, 2, 3})
	check("byte kind with MarshalText", New[textByte](1, 2), []textByte{1, 2})
	many := make([]ptrMarsh, 3000) // many leaves, spliced
	check("many leaves", New(many...), many)
	got, _ := json.Marshal(New(*big.NewInt(5)))
	var back Rope[big.Int]
	if err := json.Unmarshal(got, &back); err != nil || back.Len() != 1 {
		t.Fatalf("big.Int round trip of %s: %v", got, err)
	}
}

// cached is an element whose pointer-receiver marshalers fill a cache in
// the receiver, as lazily encoded types do: legal for a []cached, which
// its caller owns, and it must not reach a leaf that a clone shares.
type cached struct {
	V     int
	calls int
}

func (c *cached) MarshalJSON() ([]byte, error) { c.calls++; return []byte(`1`), nil }
func (c *cached) GobEncode() ([]byte, error)   { c.calls++; return []byte{1}, nil }
func (c *cached) GobDecode([]byte) error       { return nil }

func TestMarshalersWriteCopies(t *testing.T) {
	r := New(cached{V: 1}, cached{V: 2})
	c := r.Clone()
	done := make(chan struct{})
	go func() { // under -race: a reader of the clone while r is encoded
		defer close(done)
		for range 100 {
			_ = c.At(0)
		}
	}()
	for range 100 {
		if _, err := json.Marshal(r); err != nil {
			t.Error(err)
		}
		if _, err := r.GobEncode(); err != nil {
			t.Error(err)
		}
	}
	<-done
	if got := c.At(0).calls + r.At(0).calls; got != 0 {
		t.Fatalf("encoding r wrote its leaves: calls = %d", got)
	}
	noErr(t, checkRopes([]*Rope[cached]{r, c}), "after encoding")
}

func TestChunksAreCopies(t *testing.T) {
	r := New(ints(1000)...)
	c := r.Clone()
	var got []int
	for ch := range r.Chunks() {
		got = append(got, ch...)
		ch[0] = -1
	}
	equal(t, ints(1000), got, "Chunks")
	equal(t, ints(1000), slices.Collect(c.Values()), "the clone after writes to the chunks")
	equal(t, ints(1000), slices.Collect(r.Values()), "the rope after writes to the chunks")
}
