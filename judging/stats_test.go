package judging

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestJudgeStatistics(t *testing.T) {
	// P1 and P2: J1 80/60, J2 90/70, J3 70/50 → project means 80 and 60.
	// J1 mean 70 SD 10 leniency 0; J2 mean 80 (+10); J3 mean 60 (−10).
	// P3: five judges give 50 and J6 gives 100: mean 58.33…, σ = √(2083.33…/6)
	// = 18.63…, z(100) = 41.67/18.63 = 2.236 > 2 → an outlier.
	s, err := ParseSheet(strings.NewReader(`{"method":"mean","scores":` + totals(
		"J1:P1:80 J1:P2:60 J2:P1:90 J2:P2:70 J3:P1:70 J3:P2:50 "+
			"J1:P3:50 J2:P3:50 J3:P3:50 J4:P3:50 J5:P3:50 J6:P3:100") + `}`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := JudgeStatistics(s)
	if err != nil {
		t.Fatal(err)
	}
	p3mean := 350.0 / 6
	want := []JudgeStat{
		{"J1", 3, 190.0 / 3, 0, 0},
		{"J2", 3, 70, 0, 0},
		{"J3", 3, 170.0 / 3, 0, 0},
		{"J4", 1, 50, 0, 50 - p3mean},
		{"J5", 1, 50, 0, 50 - p3mean},
		{"J6", 1, 100, 0, 100 - p3mean},
	}
	// Leniency of J1 over P1, P2, P3: 190/3 − (80 + 60 + p3mean)/3.
	want[0].Leniency = 190.0/3 - (140+p3mean)/3
	want[1].Leniency = 70 - (140+p3mean)/3
	want[2].Leniency = 170.0/3 - (140+p3mean)/3
	want[0].SD = math.Sqrt(((80-want[0].Mean)*(80-want[0].Mean) + (60-want[0].Mean)*(60-want[0].Mean) + (50-want[0].Mean)*(50-want[0].Mean)) / 3)
	want[1].SD = math.Sqrt(((90-70)*(90-70) + 0 + (50-70)*(50-70)) / 3.0)
	want[2].SD = math.Sqrt(((70-want[2].Mean)*(70-want[2].Mean) + (50-want[2].Mean)*(50-want[2].Mean) + (50-want[2].Mean)*(50-want[2].Mean)) / 3)
	if len(rep.Judges) != len(want) {
		t.Fatalf("judges: %+v", rep.Judges)
	}
	for i, w := range want {
		g := rep.Judges[i]
		if g.Judge != w.Judge || g.Scores != w.Scores || !near(g.Mean, w.Mean) || !near(g.SD, w.SD) || !near(g.Leniency, w.Leniency) {
			t.Errorf("got %+v\nwant %+v", g, w)
		}
	}
	if len(rep.Outliers) != 1 {
		t.Fatalf("outliers: %+v", rep.Outliers)
	}
	o := rep.Outliers[0]
	sd := math.Sqrt((5*(50-p3mean)*(50-p3mean) + (100-p3mean)*(100-p3mean)) / 6)
	if o.Judge != "J6" || o.Project != "P3" || o.Total != 100 || !near(o.ProjectMean, p3mean) || !near(o.ProjectSD, sd) || !near(o.Z, (100-p3mean)/sd) || o.Z <= 2 {
		t.Errorf("outlier %+v", o)
	}

	// Two-judge leniency in isolation: J2 is 10 above the panel mean.
	s, _ = ParseSheet(strings.NewReader(`{"method":"mean","scores":` + totals("J1:A:70 J2:A:90 J1:B:50 J2:B:70") + `}`))
	rep, _ = JudgeStatistics(s)
	if !near(rep.Judges[0].Leniency, -10) || !near(rep.Judges[1].Leniency, 10) || !near(rep.Judges[1].SD, 10) {
		t.Errorf("leniency: %+v", rep.Judges)
	}
}

func TestKendallW(t *testing.T) {
	sheet := func(spec string) Sheet {
		s, err := ParseSheet(strings.NewReader(`{"method":"mean","scores":` + totals(spec) + `}`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	abc := []string{"A", "B", "C"}
	cases := []struct {
		name   string
		spec   string
		judges []string
		want   float64
	}{
		{"complete agreement", "J1:A:10 J1:B:20 J1:C:30 J2:A:1 J2:B:2 J2:C:3 J3:A:50 J3:B:60 J3:C:70", []string{"J1", "J2", "J3"}, 1},
		{"opposite orders", "J1:A:10 J1:B:20 J1:C:30 J2:A:30 J2:B:20 J2:C:10", []string{"J1", "J2"}, 0},
		// ranks (1,2,3), (1,3,2), (2,1,3): sums 4, 6, 8; S = 8; W = 12·8 / (9·24) = 4/9
		{"partial agreement", "J1:A:10 J1:B:20 J1:C:30 J2:A:10 J2:B:30 J2:C:20 J3:A:20 J3:B:10 J3:C:30", []string{"J1", "J2", "J3"}, 4.0 / 9},
		// ranks (1.5,1.5,3), (1,2,3): sums 2.5, 3.5, 6; S = 6.5; T = 6; W = 78 / (4·24 − 2·6) = 78/84
		{"ties", "J1:A:10 J1:B:10 J1:C:30 J2:A:10 J2:B:20 J2:C:30", []string{"J1", "J2"}, 78.0 / 84},
	}
	for _, c := range cases {
		w, err := KendallW(sheet(c.spec), c.judges, abc)
		if err != nil || !near(w, c.want) {
			t.Errorf("%s: W = %v, %v; want %v", c.name, w, err, c.want)
		}
	}
	errs := []struct {
		spec     string
		judges   []string
		projects []string
		msg      string
	}{
		{"J1:A:1 J1:B:2", []string{"J1"}, []string{"A", "B"}, "invalid: Kendall's W needs at least 2 judges and 2 projects"},
		{"J1:A:1 J1:B:2 J2:A:1", []string{"J1", "J2"}, []string{"A", "B"}, `invalid: judge "J2" did not score project "B"`},
		{"J1:A:1 J1:B:2 J2:A:1", []string{"J1", "J9"}, []string{"A", "B"}, `invalid: judge "J9" has no scores in the sheet`},
		{"J1:A:1 J1:B:2 J2:A:1", []string{"J1", "J1"}, []string{"A", "B"}, `invalid: judge "J1" is listed twice`},
		{"J1:A:1 J1:B:2 J2:A:1", []string{"J1", "J2"}, []string{"A", "Z"}, `invalid: project "Z" has no scores in the sheet`},
		{"J1:A:5 J1:B:5 J2:A:5 J2:B:5", []string{"J1", "J2"}, []string{"A", "B"}, "invalid: Kendall's W is undefined: every judge gave every project the same total"},
	}
	for _, c := range errs {
		_, err := KendallW(sheet(c.spec), c.judges, c.projects)
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s: error %v; want %s", c.spec, err, c.msg)
		}
	}
}

// TestKendallComplete: W is taken over the projects every judge scored; a
// project one judge skipped is left out of the block.
func TestKendallComplete(t *testing.T) {
	s, err := ParseSheet(strings.NewReader(`{"method":"mean","scores":` +
		totals("J1:A:10 J1:B:20 J1:C:30 J2:A:1 J2:B:2 J2:C:3 J1:D:99 J2:E:1") + `}`))
	if err != nil {
		t.Fatal(err)
	}
	w, n := KendallComplete(s)
	if w == nil || *w != 1 || n != 3 {
		t.Fatalf("W over the complete block = %v over %d projects, want 1 over 3", w, n)
	}
	one, _ := ParseSheet(strings.NewReader(`{"method":"mean","scores":` + totals("J1:A:10 J1:B:20") + `}`))
	if w, n := KendallComplete(one); w != nil || n != 2 {
		t.Fatalf("one judge: %v %d, want undefined", w, n)
	}
}
