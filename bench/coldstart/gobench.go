package coldstart

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// BenchRow is one Go benchmark over every -count run: medians of its metrics, and its same-run
// baseline (the sibling sub-benchmark whose name starts with "baseline") when it has one.
type BenchRow struct {
	Pkg      string
	Name     string // without the -GOMAXPROCS suffix
	Runs     int
	NsOp     float64
	BytesOp  float64
	AllocsOp float64
	Baseline *BenchRow
}

// ParseGoBench reads `go test -bench -benchmem` output (several -count runs) into rows, in order of
// first appearance.
func ParseGoBench(r io.Reader) ([]BenchRow, error) {
	type acc struct {
		pkg               string
		ns, bytes, allocs []float64
	}
	var order []string
	rows := map[string]*acc{}
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		key := pkg + " " + name
		a := rows[key]
		if a == nil {
			a = &acc{pkg: pkg}
			rows[key] = a
			order = append(order, key)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				a.ns = append(a.ns, v)
			case "B/op":
				a.bytes = append(a.bytes, v)
			case "allocs/op":
				a.allocs = append(a.allocs, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	out := make([]BenchRow, 0, len(order))
	for _, key := range order {
		a := rows[key]
		_, name, _ := strings.Cut(key, " ")
		out = append(out, BenchRow{Pkg: a.pkg, Name: name, Runs: len(a.ns),
			NsOp: Median(a.ns), BytesOp: Median(a.bytes), AllocsOp: Median(a.allocs)})
	}
	for i := range out {
		parent, sub, ok := strings.Cut(out[i].Name, "/")
		if !ok || strings.HasPrefix(sub, "baseline") {
			continue
		}
		for j := range out {
			p2, s2, ok := strings.Cut(out[j].Name, "/")
			if ok && p2 == parent && out[j].Pkg == out[i].Pkg && strings.HasPrefix(s2, "baseline") {
				b := out[j]
				out[i].Baseline = &b
				break
			}
		}
	}
	return out, nil
}
