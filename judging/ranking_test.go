package judging

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"

	"leitai/models"
)

func mustRank(t *testing.T, sheet string) Result {
	t.Helper()
	s, err := ParseSheet(strings.NewReader(sheet))
	if err != nil {
		t.Fatalf("ParseSheet: %v", err)
	}
	res, err := Rank(s)
	if err != nil {
		t.Fatalf("Rank: %v", err)
	}
	return res
}

func rankJSON(t *testing.T, sheet string) string {
	t.Helper()
	b, err := json.Marshal(mustRank(t, sheet))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// totals writes a scores array of plain totals: "J1:P1:80 J2:P1:90 …".
func totals(spec string) string {
	var parts []string
	for _, f := range strings.Fields(spec) {
		x := strings.Split(f, ":")
		parts = append(parts, `{"judge":"`+x[0]+`","project":"`+x[1]+`","total":`+x[2]+`}`)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// TestMethods are hand-worked examples of every aggregation method; the
// comments show the arithmetic.
func TestMethods(t *testing.T) {
	cases := []struct {
		name, sheet, want string
	}{
		{"mean",
			// P1: (80 + 90 + 85.5) / 3 = 255.5 / 3 = 85.1666…; P2: (70 + 100) / 2 = 85
			`{"method":"mean","scores":` + totals("J1:P1:80 J2:P1:90 J3:P1:85.5 J1:P2:70 J2:P2:100") + `}`,
			`{"ranking":[{"project":"P1","score":85.16666666666667,"rank":1,"judges":3,"method_applied":"mean","tied":false},` +
				`{"project":"P2","score":85,"rank":2,"judges":2,"method_applied":"mean","tied":false}]}`},
		{"median odd and even",
			// P1: 70 80 90 → 80; P2: 70 80 90 100 → (80 + 90) / 2 = 85; P3: 70 80.5 → 75.25
			`{"method":"median","scores":` + totals("J1:P1:90 J2:P1:70 J3:P1:80 J1:P2:100 J2:P2:70 J3:P2:90 J4:P2:80 J1:P3:80.5 J2:P3:70") + `}`,
			`{"ranking":[{"project":"P2","score":85,"rank":1,"judges":4,"method_applied":"median","tied":false},` +
				`{"project":"P1","score":80,"rank":2,"judges":3,"method_applied":"median","tied":false},` +
				`{"project":"P3","score":75.25,"rank":3,"judges":2,"method_applied":"median","tied":false}]}`},
		{"trimmed_mean and its fallback",
			// trim 1 needs 2·1+3 = 5 judges. P1 (5): drop 60 and 100 → (70+80+90)/3 = 80.
			// P2 (4, fallback): (60 + 70 + 80 + 100) / 4 = 77.5, applied "mean".
			`{"method":"trimmed_mean","trim":1,"scores":` + totals("J1:P1:60 J2:P1:70 J3:P1:80 J4:P1:90 J5:P1:100 J1:P2:60 J2:P2:70 J3:P2:80 J4:P2:100") + `}`,
			`{"ranking":[{"project":"P1","score":80,"rank":1,"judges":5,"method_applied":"trimmed_mean","tied":false},` +
				`{"project":"P2","score":77.5,"rank":2,"judges":4,"method_applied":"mean","tied":false}]}`},
		{"trimmed_mean trim 2 needs 7 judges",
			// P1 (7): drop 10, 20 and 90, 100 → (50+60+70)/3 = 60. P2 (6): mean 55.
			`{"method":"trimmed_mean","trim":2,"scores":` + totals("J1:P1:10 J2:P1:20 J3:P1:50 J4:P1:60 J5:P1:70 J6:P1:90 J7:P1:100 J1:P2:30 J2:P2:40 J3:P2:50 J4:P2:60 J5:P2:70 J6:P2:80") + `}`,
			`{"ranking":[{"project":"P1","score":60,"rank":1,"judges":7,"method_applied":"trimmed_mean","tied":false},` +
				`{"project":"P2","score":55,"rank":2,"judges":6,"method_applied":"mean","tied":false}]}`},
		{"zscore with both fallbacks",
			// J1 (5 scores): μ1 = 80, σ1 = √(180/5) = 6; J2 (5): μ2 = 64, σ2 = 6.
			// J3 has 2 scores (< 5) and J4 gives 72 six times (σ4 = 0): both raw.
			// All 18 totals: μ = 1296/18 = 72, σ = √(1800/18) = 10.
			// Rescaled 72 + 10·z: J1 A 57 B 67 C 72 D 77 E 87; J2 A 87 B 57 C 72 D 67 E 77.
			// A (57+87+92+72)/4 = 77; B (67+57+72)/3 = 65.33…; C (72+72+52+72)/4 = 67;
			// D (77+67+72)/3 = 72; E (87+77+72)/3 = 78.66…; F 72 → D and F tie.
			`{"method":"zscore","scores":` + totals("J1:A:71 J1:B:77 J1:C:80 J1:D:83 J1:E:89 "+
				"J2:A:73 J2:B:55 J2:C:64 J2:D:61 J2:E:67 J3:A:92 J3:C:52 "+
				"J4:A:72 J4:B:72 J4:C:72 J4:D:72 J4:E:72 J4:F:72") + `}`,
			`{"ranking":[{"project":"E","score":78.66666666666667,"rank":1,"judges":3,"method_applied":"zscore","tied":false},` +
				`{"project":"A","score":77,"rank":2,"judges":4,"method_applied":"zscore","tied":false},` +
				`{"project":"D","score":72,"rank":3,"judges":3,"method_applied":"zscore","tied":true},` +
				`{"project":"F","score":72,"rank":3,"judges":1,"method_applied":"zscore","tied":true},` +
				`{"project":"C","score":67,"rank":5,"judges":4,"method_applied":"zscore","tied":false},` +
				`{"project":"B","score":65.33333333333333,"rank":6,"judges":3,"method_applied":"zscore","tied":false}]}`},
		{"zscore where every judge falls back is the raw mean",
			`{"method":"zscore","scores":` + totals("J1:P1:80 J2:P1:90 J1:P2:70") + `}`,
			`{"ranking":[{"project":"P1","score":85,"rank":1,"judges":2,"method_applied":"zscore","tied":false},` +
				`{"project":"P2","score":70,"rank":2,"judges":1,"method_applied":"zscore","tied":false}]}`},
		{"criteria sum to the total",
			// J1: 22.5 + 18 = 40.5; J2 total 41 → 40.75
			`{"method":"mean","criteria":[{"key":"innovative","max":25},{"key":"exploratory","max":20}],"scores":[` +
				`{"judge":"J1","project":"P1","criteria":{"innovative":22.5,"exploratory":18}},{"judge":"J2","project":"P1","total":41}]}`,
			`{"ranking":[{"project":"P1","score":40.75,"rank":1,"judges":2,"method_applied":"mean","tied":false}]}`},
		{"empty sheet",
			`{"method":"mean","scores":[]}`,
			`{"ranking":[]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := rankJSON(t, c.sheet); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestInputOrderDoesNotMatter: shuffling the scores changes nothing, even
// for zscore's float64 sums.
func TestInputOrderDoesNotMatter(t *testing.T) {
	spec := strings.Fields("J1:A:71 J1:B:77 J1:C:80 J1:D:83 J1:E:89 J2:A:73 J2:B:55 J2:C:64 J2:D:61 J2:E:67 J3:A:92 J3:C:52 J4:A:72 J4:B:72 J4:C:72 J4:D:72 J4:E:72 J4:F:72 J5:A:33.3 J5:B:66.7 J5:C:12.1 J5:D:99.9 J5:E:45.45")
	for _, m := range []string{"mean", "median", "zscore"} {
		want := rankJSON(t, `{"method":"`+m+`","scores":`+totals(strings.Join(spec, " "))+`}`)
		rev := slices.Clone(spec)
		slices.Reverse(rev)
		got := rankJSON(t, `{"method":"`+m+`","scores":`+totals(strings.Join(rev, " "))+`}`)
		if got != want {
			t.Errorf("%s: order changed the result:\n%s\n%s", m, got, want)
		}
	}
}

// TestComposite: Σ weight × component / 100, the panel rescaled to 0–100 by
// the criteria's maxima, a missing component counting 0.
func TestComposite(t *testing.T) {
	sheet := `{"method":"mean","criteria":[{"key":"innovative","max":25},{"key":"exploratory","max":20}],
	 "scores":[
	  {"judge":"J1","project":"P1","criteria":{"innovative":22.5,"exploratory":18}},
	  {"judge":"J2","project":"P1","total":36},
	  {"judge":"J1","project":"P2","criteria":{"innovative":20,"exploratory":16}},
	  {"judge":"J2","project":"P2","total":40.5}],
	 "previous":{"P1":80,"P3":90},
	 "audience":{"P1":90,"P2":100,"P3":50},
	 "weights":{"panel":60,"previous":30,"audience":10}}`
	// P1: panel (40.5+36)/2 = 38.25 → 38.25/45·100 = 85 → 0.6·85 + 0.3·80 + 0.1·90 = 84
	// P2: panel 38.25 → 85, no previous (0) → 51 + 0 + 10 = 61
	// P3: no judges (panel 0) → 0 + 27 + 5 = 32
	want := `{"ranking":[{"project":"P1","score":84,"rank":1,"judges":2,"method_applied":"mean","tied":false},` +
		`{"project":"P2","score":61,"rank":2,"judges":2,"method_applied":"mean","tied":false},` +
		`{"project":"P3","score":32,"rank":3,"judges":0,"method_applied":"mean","tied":false}]}`
	if got := rankJSON(t, sheet); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	res := mustRank(t, sheet)
	if !res.Ranking[0].Value.IsExact() || res.Ranking[0].Value.Cmp(ExactScore(big.NewRat(84, 1))) != 0 || res.Ranking[0].Panel.String() != "38.25" {
		t.Errorf("P1 value %s panel %s", res.Ranking[0].Value, res.Ranking[0].Panel)
	}

	// Without criteria the panel is taken as 0–100; a component with no
	// weight does not count. Exactness: 100/3 · 0.5 + 100/3 · 0.5 ties with
	// a panel of 100/3 exactly.
	sheet = `{"method":"mean","scores":` + totals("J1:P1:0 J2:P1:0 J3:P1:100 J1:P2:50 J2:P2:25 J3:P2:25") + `,
	 "previous":{"P1":33.33,"P2":33.33},"weights":{"panel":90,"previous":0,"audience":10},"audience":{"P1":0,"P2":0}}`
	// P1: 0.9·33.33… = 30; P2: 0.9·33.33… = 30 → tied (previous 33.33 both)
	want = `{"ranking":[{"project":"P1","score":30,"rank":1,"judges":3,"method_applied":"mean","tied":true},` +
		`{"project":"P2","score":30,"rank":1,"judges":3,"method_applied":"mean","tied":true}]}`
	if got := rankJSON(t, sheet); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// zscore composites are float64.
	res = mustRank(t, `{"method":"zscore","scores":`+totals("J1:P1:80")+`,"weights":{"panel":50,"audience":50},"audience":{"P1":100}}`)
	if res.Ranking[0].Value.IsExact() || res.Ranking[0].Score != 90 {
		t.Errorf("zscore composite: %+v", res.Ranking[0])
	}
}

// keySheet builds a sheet of two criteria (key "k" max 50, "o" max 50).
func keySheet(method string, scores string, extra string) string {
	return `{"method":"` + method + `","key_criterion":"k","criteria":[{"key":"k","max":50},{"key":"o","max":50}],"scores":[` + scores + `]` + extra + `}`
}

func crit(judge, project, k, o string) string {
	return `{"judge":"` + judge + `","project":"` + project + `","criteria":{"k":` + k + `,"o":` + o + `}},`
}

type rankLine struct {
	project  string
	rank     int
	tied     bool
	tiebreak Tiebreak
}

func lines(res Result) []rankLine {
	var out []rankLine
	for _, e := range res.Ranking {
		out = append(out, rankLine{e.Project, e.Rank, e.Tied, e.Tiebreak})
	}
	return out
}

// TestTieChain walks every step of the chain.
func TestTieChain(t *testing.T) {
	// P1 and P2 both total 35 from each judge; P3 is lower.
	base := crit("J1", "P1", "20", "15") + crit("J2", "P1", "22", "13") + // key mean 21
		crit("J1", "P2", "18", "17") + crit("J2", "P2", "19", "16") + // key mean 18.5
		crit("J1", "P3", "10", "10") + strings.TrimSuffix(crit("J2", "P3", "10", "10"), ",")
	sameKey := crit("J1", "P1", "20", "15") + crit("J2", "P1", "20", "15") +
		crit("J1", "P2", "19", "16") + crit("J2", "P2", "21", "14") + // key mean 20 too
		crit("J1", "P3", "10", "10") + strings.TrimSuffix(crit("J2", "P3", "10", "10"), ",")
	cases := []struct {
		name, sheet string
		want        []rankLine
	}{
		{"key criterion decides", keySheet("mean", base, ""),
			[]rankLine{{"P1", 1, false, TiebreakKeyCriterion}, {"P2", 2, false, TiebreakKeyCriterion}, {"P3", 3, false, ""}}},
		{"key criterion ignored without key_criterion (no data): previous decides",
			strings.Replace(keySheet("mean", base, `,"previous":{"P1":70,"P2":80}`), `"key_criterion":"k",`, "", 1),
			[]rankLine{{"P2", 1, false, TiebreakPrevious}, {"P1", 2, false, TiebreakPrevious}, {"P3", 3, false, ""}}},
		{"previous decides when the key criterion is equal", keySheet("mean", sameKey, `,"previous":{"P1":80,"P2":90.5}`),
			[]rankLine{{"P2", 1, false, TiebreakPrevious}, {"P1", 2, false, TiebreakPrevious}, {"P3", 3, false, ""}}},
		{"still tied: same rank, tied, next rank skips", keySheet("mean", sameKey, ""),
			[]rankLine{{"P1", 1, true, ""}, {"P2", 1, true, ""}, {"P3", 3, false, ""}}},
		{"equal previous: still tied", keySheet("mean", sameKey, `,"previous":{"P1":80,"P2":80}`),
			[]rankLine{{"P1", 1, true, ""}, {"P2", 1, true, ""}, {"P3", 3, false, ""}}},
		{"previous for only one of the group: step skipped", keySheet("mean", sameKey, `,"previous":{"P1":80}`),
			[]rankLine{{"P1", 1, true, ""}, {"P2", 1, true, ""}, {"P3", 3, false, ""}}},
		{"a decision resolves the tie", keySheet("mean", sameKey, `,"decisions":[{"order":["P2","P1"],"reason":"lot drawn by the committee"}]`),
			[]rankLine{{"P2", 1, false, TiebreakDecision}, {"P1", 2, false, TiebreakDecision}, {"P3", 3, false, ""}}},
		{"key criterion by the method: median",
			// P1 key 20, 21, 30 → median 21; P2 key 25, 19, 20 → median 20 (totals all 40)
			keySheet("median", crit("J1", "P1", "20", "20")+crit("J2", "P1", "21", "19")+crit("J3", "P1", "30", "10")+
				crit("J1", "P2", "25", "15")+crit("J2", "P2", "19", "21")+strings.TrimSuffix(crit("J3", "P2", "20", "20"), ","), ""),
			[]rankLine{{"P1", 1, false, TiebreakKeyCriterion}, {"P2", 2, false, TiebreakKeyCriterion}}},
		{"key criterion only over judges that gave criterion points",
			// both total 40 from each judge; P1's only criterion judge gave key 10, P2's gave 30
			keySheet("mean", crit("J1", "P1", "10", "30")+`{"judge":"J2","project":"P1","total":40},`+
				`{"judge":"J1","project":"P2","total":40},`+strings.TrimSuffix(crit("J2", "P2", "30", "10"), ","), ""),
			[]rankLine{{"P2", 1, false, TiebreakKeyCriterion}, {"P1", 2, false, TiebreakKeyCriterion}}},
		{"key criterion missing for one project (totals only): step skipped, previous decides",
			keySheet("mean", crit("J1", "P1", "10", "30")+`{"judge":"J1","project":"P2","total":40}`, `,"previous":{"P1":1,"P2":2}`),
			[]rankLine{{"P2", 1, false, TiebreakPrevious}, {"P1", 2, false, TiebreakPrevious}}},
		{"key criterion under zscore: plain mean",
			// totals 40 each; P1 key values 10, 30 (mean 20), P2 20, 21 (mean 20.5)
			keySheet("zscore", crit("J1", "P1", "10", "30")+crit("J2", "P1", "30", "10")+
				crit("J1", "P2", "20", "20")+strings.TrimSuffix(crit("J2", "P2", "21", "19"), ","), ""),
			[]rankLine{{"P2", 1, false, TiebreakKeyCriterion}, {"P1", 2, false, TiebreakKeyCriterion}}},
		{"three tied, key splits one off, two remain tied",
			keySheet("mean", crit("J1", "A", "30", "10")+crit("J1", "B", "20", "20")+crit("J1", "C", "20", "20")+
				strings.TrimSuffix(crit("J1", "D", "0", "0"), ","), ""),
			[]rankLine{{"A", 1, false, TiebreakKeyCriterion}, {"B", 2, true, ""}, {"C", 2, true, ""}, {"D", 4, false, ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lines(mustRank(t, c.sheet))
			if !slices.Equal(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}

	res := mustRank(t, keySheet("mean", sameKey, ""))
	if len(res.Ties) != 1 || res.Ties[0].Rank != 1 || !slices.Equal(res.Ties[0].Projects, []string{"P1", "P2"}) {
		t.Errorf("flagged ties: %+v", res.Ties)
	}
}

// TestDecisionErrors: a decision must name exactly one still-tied group.
func TestDecisionErrors(t *testing.T) {
	three := totals("J1:A:50 J1:B:50 J1:C:50 J1:D:40 J1:E:40 J1:F:30")
	cases := []struct{ decisions, msg string }{
		{`[{"order":["F","A"],"reason":"r"}]`, `decisions[0]: project "F" is not tied (it is ranked 6 alone); a decision orders a tied group`},
		{`[{"order":["A","B"],"reason":"r"}]`, `decisions[0]: orders 2 of the 3 projects tied at rank 1 ("A", "B", "C"); it must order the whole group`},
		{`[{"order":["A","B","C","D"],"reason":"r"}]`, `decisions[0]: projects "A" (rank 1) and "D" (rank 4) are not tied with each other`},
		{`[{"order":["D","E"],"reason":"r"},{"order":["E","D"],"reason":"r"}]`, `decisions[1]: project "E" is already ordered by decisions[0]`},
	}
	for _, c := range cases {
		s, err := ParseSheet(strings.NewReader(`{"method":"mean","scores":` + three + `,"decisions":` + c.decisions + `}`))
		if err == nil {
			_, err = Rank(s)
		}
		if err == nil || err.Error() != "invalid: "+c.msg {
			t.Errorf("%s: got %v\nwant %s", c.decisions, err, c.msg)
		}
		if err != nil && !errors.Is(err, models.ErrInvalid) {
			t.Errorf("%s: error kind %s", c.decisions, models.KindOf(err))
		}
	}
	// Two decisions, each resolving its own group.
	res := mustRank(t, `{"method":"mean","scores":`+three+`,"decisions":[{"order":["E","D"],"reason":"r1"},{"order":["C","A","B"],"reason":"r2"}]}`)
	want := []rankLine{{"C", 1, false, TiebreakDecision}, {"A", 2, false, TiebreakDecision}, {"B", 3, false, TiebreakDecision},
		{"E", 4, false, TiebreakDecision}, {"D", 5, false, TiebreakDecision}, {"F", 6, false, ""}}
	if got := lines(res); !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(res.Ties) != 0 {
		t.Errorf("ties left: %+v", res.Ties)
	}
}

func TestAggregateAndStruck(t *testing.T) {
	r, m, err := Aggregate(MethodTrimmedMean, 1, []Points{6000, 10000, 7000, 9000, 8000})
	if err != nil || m != MethodTrimmedMean || r.Cmp(big.NewRat(80, 1)) != 0 {
		t.Errorf("Aggregate trimmed = %v %s %v", r, m, err)
	}
	r, m, _ = Aggregate(MethodTrimmedMean, 1, []Points{6000, 10000})
	if m != MethodMean || r.Cmp(big.NewRat(80, 1)) != 0 {
		t.Errorf("Aggregate fallback = %v %s", r, m)
	}
	if _, _, err := Aggregate(MethodZScore, 0, nil); err == nil {
		t.Error("Aggregate accepted zscore")
	}
	if got := Struck([]Points{80, 60, 100, 60, 100, 90}, 1); !slices.Equal(got, []int{1, 4}) {
		t.Errorf("Struck = %v; want [1 4]", got)
	}
	if got := Struck([]Points{80, 60, 100, 70}, 1); got != nil {
		t.Errorf("Struck below 2·trim+3 = %v", got)
	}
	if got := Struck([]Points{1, 2, 3, 4, 5}, math.MaxInt); got != nil {
		t.Errorf("Struck with a huge trim = %v", got)
	}
	if _, m, err := Aggregate(MethodTrimmedMean, math.MaxInt, []Points{1, 2, 3}); err != nil || m != MethodMean {
		t.Errorf("Aggregate with a huge trim: %s %v", m, err)
	}
}
