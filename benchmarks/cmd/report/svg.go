package main

import (
	"bytes"
	"fmt"
	"math"

	"github.com/cowkit/cowkit/benchmarks"
)

// The charts are plain SVG written by hand: a log-log line chart and a bar
// chart need no plotting library.

const (
	width, height          = 760, 440
	left, right, top, bott = 80, 210, 40, 60
	plotW, plotH           = width - left - right, height - top - bott
)

var familyColors = map[string][]string{
	"eager copy":                 {"#444444"},
	"whole-buffer copy-on-write": {"#e6550d", "#fdae6b"},
	"structural copy-on-write":   {"#3182bd", "#6baed6", "#08519c"},
}

func header(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(b, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, title)
}

// cloneChart plots the clone-then-first-write cost of each kind against n,
// both axes logarithmic.
func cloneChart(c config, res [][]result) []byte {
	var b bytes.Buffer
	header(&b, "Clone, then the first write: time against size")
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range res {
		for _, r := range row {
			lo, hi = math.Min(lo, r.value), math.Max(hi, r.value)
		}
	}
	ylo, yhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yhi == ylo {
		yhi++
	}
	xlo, xhi := math.Log10(float64(c.sizes[0])), math.Log10(float64(c.sizes[len(c.sizes)-1]))
	if xhi == xlo {
		xhi++
	}
	x := func(n int) float64 { return left + (math.Log10(float64(n))-xlo)/(xhi-xlo)*plotW }
	y := func(v float64) float64 { return top + plotH - (math.Log10(v)-ylo)/(yhi-ylo)*plotH }

	// Axes and grid: a line per power of ten.
	for e := ylo; e <= yhi; e++ {
		yy := y(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, yy, left+plotW, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, yy+4, ns(math.Pow(10, e)))
	}
	for _, n := range c.sizes {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">n = %s</text>`+"\n", x(n), top+plotH+18, count(n))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">elements cloned (log scale)</text>`+"\n", left+plotW/2, height-14)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", left, top, plotW, plotH)

	used := map[string]int{}
	for ki, k := range benchmarks.CloneKinds {
		colors := familyColors[k.Family]
		color := colors[used[k.Family]%len(colors)]
		used[k.Family]++
		var pts bytes.Buffer
		for si, n := range c.sizes {
			fmt.Fprintf(&pts, "%.1f,%.1f ", x(n), y(res[si][ki].value))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"/>`+"\n", pts.String(), color)
		for si, n := range c.sizes {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", x(n), y(res[si][ki].value), color)
		}
		ly := top + 20 + ki*34
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", left+plotW+14, ly, left+plotW+38, ly, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left+plotW+44, ly+4, k.Name)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#777" font-size="10">%s</text>`+"\n", left+plotW+44, ly+17, k.Family)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

var implColors = []string{"#999999", "#74c476", "#9e9ac8", "#3182bd"}

// btreeChart draws, for each B-tree operation, one bar per implementation:
// its result relative to tidwall's.
func btreeChart(res [][]result) []byte {
	var b bytes.Buffer
	header(&b, "btree against its peers (relative to tidwall/btree; lower is better)")
	top := 0.0
	for _, row := range res {
		for _, r := range row {
			top = math.Max(top, r.value/row[0].value)
		}
	}
	// Past 3x the bars are cut, and their value is written on them, so
	// that a slow peer does not squash the comparison between the fast
	// ones.
	top = math.Min(math.Ceil(top), 3)
	y := func(v float64) float64 { return float64(topMargin+plotH) - math.Min(v, top)/top*plotH }
	for v := 0.0; v <= top; v += 0.5 {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`+"\n", left, y(v), left+plotW, y(v), map[bool]string{true: "#888", false: "#ddd"}[v == 1])
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%.1fx</text>`+"\n", left-6, y(v)+4, v)
	}
	ops := benchmarks.BtreeOps
	group := float64(plotW) / float64(len(ops))
	bar := group * 0.8 / float64(len(benchmarks.Impls))
	for oi, op := range ops {
		gx := float64(left) + float64(oi)*group + group*0.1
		for ii := range benchmarks.Impls {
			v := res[oi][ii].value / res[oi][0].value
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %.2fx</title></rect>`+"\n",
				gx+float64(ii)*bar, y(v), bar-1, y(0)-y(v), implColors[ii%len(implColors)], op.Name, benchmarks.Impls[ii].Name, v)
			if v > top {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%.0fx</text>`+"\n", gx+float64(ii)*bar+bar/2, y(v)-4, v)
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-size="10">%s</text>`+"\n",
			gx+group*0.4, topMargin+plotH+18, opLabels[op.Name])
	}
	for ii, im := range benchmarks.Impls {
		ly := topMargin + 20 + ii*24
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="12" fill="%s"/>`+"\n", left+plotW+14, ly-10, implColors[ii%len(implColors)])
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left+plotW+36, ly, im.Name)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

const topMargin = top

// opLabels are the short names of the B-tree operations under the bars.
var opLabels = map[string]string{
	"Get": "Get", "Set_insert": "insert", "Set_overwrite": "overwrite", "Delete": "Delete",
	"All": "iterate", "Clone_firstWrite": "Clone+write", "Clone_1000Writes": "Clone+1000",
	"heapPerItem": "heap/item",
}
