package judging

import (
	"reflect"
	"testing"
)

// lotVectors are draws the browser's port (frontend/src/views/admin/live/drawLots.ts, whose test
// holds the same vectors) must reproduce: the page that re-runs a draw and this package agree.
var lotVectors = []struct {
	seed      string
	finalists []string
}{
	{"huizhou-2026-final", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
	{"dPO1SIiNeXJiTpBC", []string{"12", "15", "18", "21"}},
	{"种子 with spaces", []string{"7", "8", "9"}},
	{"x", []string{"42"}},
}

func TestDrawLotsVectors(t *testing.T) {
	want := [][]string{
		{"4", "8", "9", "2", "6", "5", "10", "3", "1", "7"},
		{"21", "15", "12", "18"},
		{"7", "8", "9"},
		{"42"},
	}
	for i, v := range lotVectors {
		got, err := DrawLots(v.seed, v.finalists)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("DrawLots(%q, %v) = %q, want %q (update drawLots.test.ts too)", v.seed, v.finalists, got, want[i])
		}
	}
}
