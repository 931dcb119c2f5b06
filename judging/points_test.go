package judging

import (
	"encoding/json"
	"math"
	"math/big"
	"testing"
)

func TestParsePoints(t *testing.T) {
	ok := []struct {
		in   string
		want Points
	}{
		{"0", 0}, {"-0", 0}, {"18", 1800}, {"22.5", 2250}, {"22.50", 2250}, {"22.500", 2250},
		{"0.01", 1}, {"0.1", 10}, {"-0.25", -25}, {"2.25e1", 2250}, {"225E-1", 2250},
		{"1e2", 10000}, {"1.5e-1", 15}, {"33.33", 3333}, {"1000000", MaxPoints}, {"-1000000", -MaxPoints},
		{"0.000e5", 0}, {"12345.67", 1234567}, {"0e999999999999", 0}, {"100e-2", 100},
	}
	for _, c := range ok {
		got, err := ParsePoints(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParsePoints(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"22.555", "invalid: 22.555 has more than 2 decimals"},
		{"1.005", "invalid: 1.005 has more than 2 decimals"},
		{"1.5e-2", "invalid: 1.5e-2 has more than 2 decimals"},
		{"1e-999999999999", "invalid: 1e-999999999999 has more than 2 decimals"},
		{"1000000.01", "invalid: 1000000.01 is above the largest accepted value 1000000"},
		{"-1000000.01", "invalid: -1000000.01 is below the smallest accepted value -1000000"},
		{"1e999999999999", "invalid: 1e999999999999 is above the largest accepted value 1000000"},
		{"99999999999999999999999", "invalid: 99999999999999999999999 is above the largest accepted value 1000000"},
		{"", `invalid: "" is not a number`},
		{"abc", `invalid: "abc" is not a number`},
		{`"22.5"`, `invalid: "\"22.5\"" is not a number`},
		{"01", "invalid: 01 is not a number"},
		{"1.", "invalid: 1. is not a number"},
		{".5", "invalid: .5 is not a number"},
		{"+1", "invalid: +1 is not a number"},
		{"1e", "invalid: 1e is not a number"},
		{"1 ", `invalid: "1 " is not a number`},
		{"NaN", `invalid: "NaN" is not a number`},
		{"null", `invalid: "null" is not a number`},
	}
	for _, c := range bad {
		_, err := ParsePoints(c.in)
		if err == nil || err.Error() != c.msg {
			t.Errorf("ParsePoints(%q) error = %v; want %q", c.in, err, c.msg)
		}
	}
}

func TestPointsFormat(t *testing.T) {
	cases := []struct {
		p          Points
		str, text  string
		marshalled string
	}{
		{2250, "22.50", "22.5", "22.5"},
		{1800, "18.00", "18", "18"},
		{5, "0.05", "0.05", "0.05"},
		{-5, "-0.05", "-0.05", "-0.05"},
		{0, "0.00", "0", "0"},
		{101, "1.01", "1.01", "1.01"},
		{math.MinInt64, "-92233720368547758.08", "-92233720368547758.08", "-92233720368547758.08"},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.p)
		if c.p.String() != c.str || c.p.Text() != c.text || err != nil || string(b) != c.marshalled {
			t.Errorf("%d: String %q Text %q JSON %s %v; want %q %q %s", int64(c.p), c.p.String(), c.p.Text(), b, err, c.str, c.text, c.marshalled)
		}
	}
	var p Points
	if err := json.Unmarshal([]byte("22.5"), &p); err != nil || p != 2250 {
		t.Errorf("Unmarshal 22.5 = %d, %v", p, err)
	}
	if err := json.Unmarshal([]byte(`"22.5"`), &p); err == nil {
		t.Errorf("Unmarshal of a string accepted")
	}
}

// TestRoundHalfUp shows the display rule on exact values, and that the
// float64 route fails where TRAPS.md says it does.
func TestRoundHalfUp(t *testing.T) {
	cases := []struct {
		num, den int64
		want     Points
	}{
		{1005, 1000, 101},   // 1.005 → 1.01
		{2675, 1000, 268},   // 2.675 → 2.68
		{-1005, 1000, -101}, // halves away from zero
		{1004999, 1000000, 100},
		{255, 3, 8500},     // 85.000
		{256, 3, 8533},     // 85.333…
		{257, 3, 8567},     // 85.666…
		{1, 200, 1},        // 0.005 → 0.01
		{1, 201, 0},        // 0.00497… → 0.00
		{-1, 3, -33},       // -0.333…
		{10, 1, 1000},      // 10
		{81_25, 100, 8125}, // 81.25 stays
	}
	for _, c := range cases {
		if got := RoundHalfUp(big.NewRat(c.num, c.den)); got != c.want {
			t.Errorf("RoundHalfUp(%d/%d) = %s; want %s", c.num, c.den, got, c.want)
		}
	}
	// float64 holds 1.005 as 1.00499999999999989…, so rounding it fails.
	x := 1.005 // a variable: Go's constant arithmetic would be exact
	if f := math.Round(x*100) / 100; f != 1.00 {
		t.Fatalf("float64 rounding of 1.005 gave %v; the trap this test documents is gone", f)
	}
	// The mean of totals 1.00 and 1.01 is exactly 1.005: displayed 1.01.
	res := mustRank(t, `{"method":"mean","scores":[{"judge":"J1","project":"P","total":1},{"judge":"J2","project":"P","total":1.01}]}`)
	e := res.Ranking[0]
	if e.Value.String() != "1.01" {
		t.Errorf("display of exact 1.005 = %s; want 1.01", e.Value.String())
	}
	if e.Score != 1.005 || math.Round(e.Score*100)/100 != 1.00 {
		t.Errorf("score %v: the float64 route should round to 1.00", e.Score)
	}
	for _, c := range []struct {
		votes, most, floor int64
		want               Points
	}{
		{2, 3, 0, 6667},     // no floor: relative to the best-voted
		{0, 0, 50, 0},       // nobody voted
		{1, 1, 50, 200},     // one vote in the event: 2 points, not 100
		{40, 120, 50, 3333}, // a full turnout is scored relative to the best
		{120, 120, 50, 10000},
		{30, 40, 50, 6000}, // below the floor: divided by the floor
	} {
		if got := AudiencePoints(c.votes, c.most, c.floor); got != c.want {
			t.Errorf("AudiencePoints(%d, %d, %d) = %s; want %s", c.votes, c.most, c.floor, got, c.want)
		}
	}
}

// One vote in the whole event cannot reverse a 2.5-point panel lead (#11
// item 3): with the floor it is worth 2 audience points, 0.2 of composite.
func TestAudienceFloorKeepsAPanelLead(t *testing.T) {
	sheet := func(aud Points) string {
		return `{"method":"mean","scores":[{"judge":"J1","project":"A","total":90},{"judge":"J1","project":"B","total":87.5}],` +
			`"audience":{"A":0,"B":` + aud.String() + `},"weights":{"panel":60,"previous":30,"audience":10}}`
	}
	if got := mustRank(t, sheet(AudiencePoints(1, 1, 50))).Ranking[0].Project; got != "A" {
		t.Fatalf("with the floor, one vote put %s first; want A (the panel's lead)", got)
	}
	// The rule it replaces: the single vote's 100 points reversed the lead.
	if got := mustRank(t, sheet(AudiencePoints(1, 1, 0))).Ranking[0].Project; got != "B" {
		t.Fatalf("without a floor the single vote should have reversed the lead; got %s first", got)
	}
}

// TestEqualSumsAreEqual: totals that are equal as decimals are equal
// however they were summed, where float64 sums are not.
func TestEqualSumsAreEqual(t *testing.T) {
	a, b, c := 0.1, 0.2, 0.3 // variables: Go's constant arithmetic would be exact
	if a+b+c == c+b+a {
		t.Fatal("float64 sums agree; the trap this test documents is gone")
	}
	// Three criteria 33.33 + 33.33 + 33.34 against a plain total of 100, and
	// totals 0.1, 0.2, 0.3 against 0.3, 0.2, 0.1: ties both ways.
	sheet := `{"method":"mean",
	 "criteria":[{"key":"a","max":40},{"key":"b","max":40},{"key":"c","max":40}],
	 "scores":[
	  {"judge":"J1","project":"P1","criteria":{"a":33.33,"b":33.33,"c":33.34}},
	  {"judge":"J1","project":"P2","total":100},
	  {"judge":"J2","project":"P2","criteria":{"c":33.33,"a":33.34,"b":33.33}},
	  {"judge":"J2","project":"P1","total":100.00}]}`
	res := mustRank(t, sheet)
	for _, e := range res.Ranking {
		if e.Rank != 1 || !e.Tied {
			t.Errorf("%s: rank %d tied %v; want 1 true", e.Project, e.Rank, e.Tied)
		}
	}
	sheet = `{"method":"mean","scores":[
	  {"judge":"J1","project":"P1","total":0.1},{"judge":"J2","project":"P1","total":0.2},{"judge":"J3","project":"P1","total":0.3},
	  {"judge":"J1","project":"P2","total":0.3},{"judge":"J2","project":"P2","total":0.2},{"judge":"J3","project":"P2","total":0.1}]}`
	res = mustRank(t, sheet)
	if res.Ranking[0].Rank != 1 || res.Ranking[1].Rank != 1 || len(res.Ties) != 1 {
		t.Errorf("0.1+0.2+0.3 and 0.3+0.2+0.1 should tie: %+v", res.Ranking)
	}
}

func TestScoreCmp(t *testing.T) {
	a := ExactScore(big.NewRat(1, 3))
	b := ExactScore(big.NewRat(2, 6))
	if a.Cmp(b) != 0 || a.Cmp(ExactScore(big.NewRat(1, 2))) >= 0 {
		t.Error("exact comparison")
	}
	if (Score{}).Cmp(ExactScore(new(big.Rat))) != 0 || (Score{}).String() != "0.00" {
		t.Error("the zero Score is an exact 0")
	}
	if FloatScore(0.5).Cmp(ExactScore(big.NewRat(1, 2))) != 0 || FloatScore(0.3).Cmp(FloatScore(0.30000000000000004)) >= 0 {
		t.Error("float comparison")
	}
	if FloatScore(1.005).String() != "1.01" {
		t.Errorf("a float score displays by its shortest decimal: %s", FloatScore(1.005).String())
	}
}
