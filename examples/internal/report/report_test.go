package report

import (
	"bytes"
	"slices"
	"testing"
	"time"
)

var bytesTests = []struct {
	n    int64
	want string
}{
	{0, "0 B"},
	{1023, "1023 B"},
	{1024, "1.00 KiB"},
	{16 << 10, "16.0 KiB"},
	{999 << 10, "999 KiB"},
	{1000 << 10, "0.98 MiB"},
	{1023 << 10, "1.00 MiB"},
	{1 << 20, "1.00 MiB"},
	{50 << 20, "50.0 MiB"},
	{50_000_000, "47.7 MiB"},
	{2 << 30, "2.00 GiB"},
	{-4096, "-4.00 KiB"},
}

func TestBytes(t *testing.T) {
	for _, tt := range bytesTests {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

var durationTests = []struct {
	d    time.Duration
	want string
}{
	{0, "0 ns"},
	{71, "71 ns"},
	{999, "999 ns"},
	{9120, "9.12 µs"},
	{41_300_000, "41.3 ms"},
	{999_400, "999 µs"},
	{999_600, "1.00 ms"},
	{999_600_000, "1.00 s"},
	{1_200_000_000, "1.20 s"},
}

func TestDuration(t *testing.T) {
	for _, tt := range durationTests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%d) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 20000: "20,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

var ratioTests = []struct {
	slow, fast time.Duration
	want       string
}{
	{150, 100, "1.50x"},
	{8100, 100, "81.0x"},
	{38_800_000, 80, "485,000x"},
	{100, 0, "-"},
}

func TestRatio(t *testing.T) {
	for _, tt := range ratioTests {
		if got := Ratio(tt.slow, tt.fast); got != tt.want {
			t.Errorf("Ratio(%d, %d) = %q, want %q", tt.slow, tt.fast, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2}
	if got := Median(ds); got != 2 {
		t.Errorf("Median(%v) = %v, want 2 (the lower middle)", ds, got)
	}
	if ds[0] != 5 {
		t.Error("Median reordered its argument")
	}
	if got := Median([]int64{3, 1, 2}); got != 2 {
		t.Errorf("Median(3, 1, 2) = %d, want 2", got)
	}
	if got := Median[int64](nil); got != 0 {
		t.Errorf("Median(nil) = %d, want 0", got)
	}
}

var sink []byte

func TestMeasure(t *testing.T) {
	// One call may catch a runtime allocation of its own; Allocated takes
	// the least of several.
	if alloc := Allocated(5, func() {}); alloc != 0 {
		t.Errorf("an empty function allocated %d bytes", alloc)
	}
	if alloc := Allocated(5, func() { sink = make([]byte, 8192) }); alloc != 8192 {
		t.Errorf("make([]byte, 8192) allocated %d bytes, want 8192", alloc)
	}
	if _, alloc := Measure(func() { sink = make([]byte, 8192) }); alloc < 8192 {
		t.Errorf("Measure of make([]byte, 8192) counted %d bytes, want at least 8192", alloc)
	}
	sink = nil
	before := HeapInUse()
	sink = make([]byte, 1<<20)
	if kept := HeapInUse() - before; kept < 1<<20-64<<10 || kept > 1<<20+64<<10 {
		t.Errorf("keeping 1 MiB grew the heap by %d bytes", kept)
	}
}

func TestTable(t *testing.T) {
	tb := NewTable("lr")
	tb.Row("NAME", "SIZE")
	tb.Row("web-01", "48.0 KiB")
	tb.Row("db", "1 µs", "extra")
	var out bytes.Buffer
	tb.Write(&out, "  ")
	want := "" +
		"  NAME        SIZE\n" +
		"  web-01  48.0 KiB\n" +
		"  db          1 µs  extra\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestRuns(t *testing.T) {
	rows := [][]string{
		{"parent", "2"},
		{"child-1", "1"}, {"child-2", "1"}, {"child-3", "1"},
		{"child-4", "2"},
		{"child-5", "1"}, {"child-6", "1"},
	}
	want := [][]string{
		{"parent", "2"},
		{"child-1 to child-3, each", "1"},
		{"child-4", "2"},
		{"child-5 to child-6, each", "1"},
	}
	if got := Runs(rows); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Runs = %q, want %q", got, want)
	}
	if rows[1][0] != "child-1" {
		t.Error("Runs changed its argument")
	}
}
