package judging

import (
	"slices"
	"testing"
)

func TestAdvance(t *testing.T) {
	// Ranks: A 1 (90), B 2 (85), C 3 (80), D 3 (80) tied, E 5 (79.995 exactly: 79.99 and 80)
	res := mustRank(t, `{"method":"mean","scores":`+totals("J1:A:90 J1:B:85 J1:C:80 J1:D:80 J1:E:79.99 J2:E:80")+`}`)
	pts := func(p Points) *Points { return &p }
	cases := []struct {
		name      string
		rule      AdvanceRule
		advancing []string
		tieAtCut  []string
		err       string
	}{
		{"top 2", AdvanceRule{Top: 2}, []string{"A", "B"}, nil, ""},
		{"top 3 cuts through a tie: all of it advances", AdvanceRule{Top: 3}, []string{"A", "B", "C", "D"}, []string{"C", "D"}, ""},
		{"top 4 takes the tie whole", AdvanceRule{Top: 4}, []string{"A", "B", "C", "D"}, nil, ""},
		{"top beyond the field", AdvanceRule{Top: 10}, []string{"A", "B", "C", "D", "E"}, nil, ""},
		{"threshold on the exact score", AdvanceRule{Threshold: pts(8000)}, []string{"A", "B", "C", "D"}, nil, ""},
		{"threshold just below", AdvanceRule{Threshold: pts(7999)}, []string{"A", "B", "C", "D", "E"}, nil, ""},
		{"overrides", AdvanceRule{Top: 2, Overrides: []Override{{Project: "E", Advance: true, Reason: "site visit"}, {Project: "B", Reason: "withdrawn"}}},
			[]string{"A", "E"}, nil, ""},
		{"both", AdvanceRule{Top: 2, Threshold: pts(1)}, nil, nil, "invalid: give either a top N or a threshold, not both"},
		{"neither", AdvanceRule{}, nil, nil, "invalid: give a top N or a threshold"},
		{"negative top", AdvanceRule{Top: -1}, nil, nil, "invalid: top -1 is negative"},
		{"negative threshold", AdvanceRule{Threshold: pts(-1)}, nil, nil, "invalid: threshold -0.01 is negative"},
		{"override without reason", AdvanceRule{Top: 1, Overrides: []Override{{Project: "E", Advance: true}}}, nil, nil, `invalid: overrides[0]: project "E": a reason is required`},
		{"override unknown project", AdvanceRule{Top: 1, Overrides: []Override{{Project: "Z", Advance: true, Reason: "x"}}}, nil, nil, `invalid: overrides[0]: unknown project "Z"`},
		{"override twice", AdvanceRule{Top: 1, Overrides: []Override{{Project: "E", Advance: true, Reason: "x"}, {Project: "E", Reason: "y"}}}, nil, nil, `invalid: overrides[1]: project "E" is already overridden by overrides[0]`},
		{"adding an advancing project", AdvanceRule{Top: 1, Overrides: []Override{{Project: "A", Advance: true, Reason: "x"}}}, nil, nil, `invalid: overrides[0]: project "A" already advances`},
		{"removing a project that does not advance", AdvanceRule{Top: 1, Overrides: []Override{{Project: "B", Reason: "x"}}}, nil, nil, `invalid: overrides[0]: project "B" does not advance`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Advance(res, c.rule)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v; want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Advancing, c.advancing) || !slices.Equal(a.TieAtCut, c.tieAtCut) {
				t.Errorf("advancing %v tie at cut %v; want %v %v", a.Advancing, a.TieAtCut, c.advancing, c.tieAtCut)
			}
		})
	}
	a, _ := Advance(res, AdvanceRule{Top: 2, Overrides: []Override{{Project: "E", Advance: true, Reason: "site visit"}, {Project: "B", Reason: "withdrawn"}}})
	if !slices.Equal(a.ByRule, []string{"A", "B"}) || len(a.Added) != 1 || a.Added[0].Project != "E" || len(a.Removed) != 1 || a.Removed[0].Reason != "withdrawn" {
		t.Errorf("report: %+v", a)
	}
}
