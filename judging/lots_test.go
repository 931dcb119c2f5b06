package judging

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestDrawLotsMatchesPython: the expected orders were computed with the
// Python function in DrawLots's documentation, so the published algorithm
// and this code agree.
func TestDrawLotsMatchesPython(t *testing.T) {
	cases := []struct {
		seed      string
		finalists []string
		want      []string
	}{
		{"2025-final", []string{"P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10"},
			[]string{"P09", "P01", "P02", "P06", "P05", "P07", "P10", "P03", "P04", "P08"}},
		{"惠州2025终审", []string{"四民主工作法", "和美网格", "e普法", "医调委"},
			[]string{"医调委", "e普法", "四民主工作法", "和美网格"}},
		{"x", []string{"only"}, []string{"only"}},
		{"x", nil, nil},
	}
	for _, c := range cases {
		got, err := DrawLots(c.seed, c.finalists)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("DrawLots(%q) = %v, %v; want %v", c.seed, got, err, c.want)
		}
	}
}

func TestDrawLotsRules(t *testing.T) {
	in := []string{"A", "B", "C"}
	a, _ := DrawLots("seed", in)
	b, _ := DrawLots("seed", in)
	if !slices.Equal(a, b) || !slices.Equal(in, []string{"A", "B", "C"}) {
		t.Error("not deterministic, or the input was changed")
	}
	for _, c := range []struct {
		seed string
		in   []string
		msg  string
	}{
		{" ", in, "invalid: the lot-drawing seed is required"},
		{"s", []string{"A", ""}, "invalid: a finalist id is empty"},
		{"s", []string{"A", "B", "A"}, `invalid: finalist "A" is listed twice`},
	} {
		if _, err := DrawLots(c.seed, c.in); err == nil || err.Error() != c.msg {
			t.Errorf("%q %v: error %v; want %s", c.seed, c.in, err, c.msg)
		}
	}
	// Every order of three finalists comes up about equally often.
	counts := map[string]int{}
	const n = 6000
	for i := range n {
		got, _ := DrawLots(fmt.Sprintf("seed-%d", i), in)
		counts[strings.Join(got, "")]++
	}
	if len(counts) != 6 {
		t.Fatalf("orders drawn: %v", counts)
	}
	for order, c := range counts {
		if c < n/6-150 || c > n/6+150 { // ±150 is over 4 standard deviations
			t.Errorf("order %s drawn %d times of %d", order, c, n)
		}
	}
}
