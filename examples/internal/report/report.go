// Package report formats what the examples measure for people: sizes in
// binary units, durations in ns/µs/ms/s, counts with thousands separators,
// and aligned tables. It also measures: the time and the heap bytes a call
// allocates, and medians.
package report

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bytes formats n bytes in binary units: "0 B", "512 B", "16.0 KiB",
// "50.0 MiB", "1.95 GiB". Three significant digits at most.
func Bytes(n int64) string {
	if n < 0 {
		return "-" + Bytes(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / 1024
	u := 0
	for v >= 999.5 && u < len(units)-1 { // 999.5 KiB would round to "1000 KiB"
		v /= 1024
		u++
	}
	if v < 1 {
		return strconv.FormatFloat(v, 'f', 2, 64) + " " + units[u] // 1000 KiB is "0.98 MiB"
	}
	return sig3(v) + " " + units[u]
}

// Duration formats d with three significant digits in the largest unit that
// keeps it at 1 or more once rounded: "71 ns", "9.12 µs", "41.3 ms", "1.20 s".
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + Duration(-d)
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + " ns"
	case d < 999_500*time.Nanosecond: // 999.5 µs would round to "1000 µs"
		return sig3(float64(d)/1e3) + " µs"
	case d < 999_500*time.Microsecond:
		return sig3(float64(d)/1e6) + " ms"
	default:
		return sig3(float64(d)/1e9) + " s"
	}
}

// sig3 formats v >= 1 with three significant digits ("1.23", "12.3",
// "123", "1234").
func sig3(v float64) string {
	switch {
	case v < 9.995:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 99.95:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}

// Count formats n with commas between groups of three digits: "20,000".
func Count[I ~int | ~int64 | ~uint64](n I) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Ratio formats how many times slower slow is than fast: "1.50x",
// "81x", "580,000x" (three significant digits, then rounded to a whole
// number). It returns "-" when fast is not positive.
func Ratio(slow, fast time.Duration) string {
	if fast <= 0 {
		return "-"
	}
	r := float64(slow) / float64(fast)
	if r < 100 {
		return sig3(max(r, 0)) + "x"
	}
	// Keep three significant digits: 583,214 -> 583,000.
	p := 1.0
	for r/p >= 1000 {
		p *= 10
	}
	return Count(int64(r/p+0.5)*int64(p)) + "x"
}

// Median returns the median of ds (the lower middle one for an even count),
// or 0 for none. It does not reorder ds.
func Median[T ~int64](ds []T) T {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Time calls f once and returns how long it took.
func Time(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// Measure calls f once and returns how long it took and how many heap bytes
// it allocated (runtime.MemStats.TotalAlloc before and after; allocations
// by other goroutines meanwhile count too, so measure with none running).
// Reading the stats stops the world for some microseconds, outside the time.
func Measure(f func()) (took time.Duration, allocated int64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	return took, int64(after.TotalAlloc - before.TotalAlloc)
}

// Allocated calls f runs times and returns the fewest heap bytes one call
// allocated. The runtime allocates now and then on its own (a background
// worker, a timer), which Measure counts as f's; such an allocation only
// adds, so the least of several calls is f's own cost.
func Allocated(runs int, f func()) int64 {
	least := int64(-1)
	for range runs {
		if _, alloc := Measure(f); least < 0 || alloc < least {
			least = alloc
		}
	}
	return least
}

// HeapInUse runs a garbage collection and returns the bytes of live heap
// objects. The difference of two calls is what was kept in between.
func HeapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// Runs merges each run of consecutive rows that are equal past their first
// cell into one row, whose first cell becomes "first to last, each". A
// table of many alike rows, such as a process's 100 children, stays short
// and still has a row for every one.
func Runs(rows [][]string) [][]string {
	var out [][]string
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && slices.Equal(rows[j][1:], rows[i][1:]) {
			j++
		}
		row := slices.Clone(rows[i])
		if j-i > 1 {
			row[0] = fmt.Sprintf("%s to %s, each", rows[i][0], rows[j-1][0])
		}
		out = append(out, row)
		i = j
	}
	return out
}

// Table collects rows of cells and writes them with aligned columns.
type Table struct {
	align string // one byte per column: 'l' left, 'r' right
	rows  [][]string
}

// NewTable returns a table whose columns are aligned as align says, one
// letter per column: 'l' for left, 'r' for right. Columns past align's
// length are left-aligned.
func NewTable(align string) *Table { return &Table{align: align} }

// Row adds a row. A cell is formatted with fmt.Sprint.
func (t *Table) Row(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

// Rows adds rows of cells already formatted.
func (t *Table) Rows(rows [][]string) {
	for _, r := range rows {
		t.rows = append(t.rows, slices.Clone(r))
	}
}

// Write writes the table to w, each line starting with indent and the
// columns two spaces apart, with no trailing spaces.
func (t *Table) Write(w io.Writer, indent string) {
	var widths []int
	for _, row := range t.rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t.rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < len(t.align) && t.align[i] == 'r' {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
