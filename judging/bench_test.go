package judging_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"leitai/judging"
	"leitai/judging/judgingbench"
)

// BenchmarkRank ranks 1,000 projects × 50 judges × 5 criteria (BENCHMARKS.md
// target: ≤ 20 ms per method).
func BenchmarkRank(b *testing.B) {
	for _, m := range []judging.Method{judging.MethodMean, judging.MethodMedian, judging.MethodTrimmedMean, judging.MethodZScore} {
		s := judgingbench.Sheet(m, judgingbench.Projects, judgingbench.Judges, judgingbench.Criteria, 1)
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				if _, err := judging.Rank(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	s := judgingbench.Sheet(judging.MethodTrimmedMean, judgingbench.Projects, judgingbench.Judges, judgingbench.Criteria, 1)
	s.Weights = &judging.Weights{Panel: 6000, Previous: 3000, Audience: 1000}
	b.Run("composite", func(b *testing.B) {
		for b.Loop() {
			if _, err := judging.Rank(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAssign assigns 1,000 projects to 60 experts, 5 each, with
// conflicts (target: ≤ 1 s, load spread ≤ 1).
func BenchmarkAssign(b *testing.B) {
	in := judgingbench.AssignInput(judgingbench.Projects, judgingbench.Experts, judgingbench.PerProject, 1)
	var res judging.Assignment
	for b.Loop() {
		var err error
		if res, err = judging.Assign(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.MaxLoad-res.MinLoad), "load_spread")
}

// BenchmarkParseSheet reads the ranking benchmark's sheet as JSON (no
// target; for information).
func BenchmarkParseSheet(b *testing.B) {
	s := judgingbench.Sheet(judging.MethodMean, judgingbench.Projects, judgingbench.Judges, judgingbench.Criteria, 1)
	raw, err := json.Marshal(s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := judging.ParseSheet(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchmarkData: the synthetic data of the benchmarks ranks with every
// method and assigns with an even load, so the figures measure real work.
func TestBenchmarkData(t *testing.T) {
	for _, m := range []judging.Method{judging.MethodMean, judging.MethodMedian, judging.MethodTrimmedMean, judging.MethodZScore} {
		s := judgingbench.Sheet(m, 40, 7, 5, 3)
		res, err := judging.Rank(s)
		if err != nil || len(res.Ranking) != 40 || res.Ranking[0].Judges != 7 {
			t.Fatalf("%s: %v %+v", m, err, res.Ranking)
		}
	}
	in := judgingbench.AssignInput(judgingbench.Projects, judgingbench.Experts, judgingbench.PerProject, 1)
	res, err := judging.Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Balanced || res.MaxLoad-res.MinLoad > 1 {
		t.Errorf("loads %d…%d: %s", res.MinLoad, res.MaxLoad, res.Note)
	}
	conflicted := 0
	for _, p := range in.Projects {
		for _, e := range in.Experts {
			if e.Conflicted(p.Unit) {
				conflicted++
			}
		}
	}
	if conflicted == 0 {
		t.Error("the assignment benchmark has no conflicts")
	}
	sorted := 0
	for _, q := range res.Experts {
		if slices.IsSorted(q.Projects) {
			sorted++
		}
	}
	if sorted == len(res.Experts) {
		t.Error("no expert's review order is shuffled")
	}
}
