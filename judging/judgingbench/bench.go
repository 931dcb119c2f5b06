// Package judgingbench measures the judging algorithms against the targets
// of BENCHMARKS.md (ranking 1,000 projects × 50 experts × 5 criteria with
// every method in ≤ 20 ms; assigning 1,000 projects to 60 experts, 5 each,
// with conflicts in ≤ 1 s and a load spread ≤ 1) on synthetic data, and
// prints one JSON object per scenario. `leitai bench judging` runs it; the
// Go benchmarks in package judging use the same data.
package judgingbench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"leitai/judging"
	"leitai/models"
)

// The sizes of BENCHMARKS.md.
const (
	Projects     = 1000
	Judges       = 50
	Criteria     = 5
	Experts      = 60
	PerProject   = 5
	rankRuns     = 15
	assignRuns   = 7
	rankTarget   = 20
	assignTarget = 1000
)

// criteria is the default rubric (PRODUCT.md, "Scoring rules").
var criteria = []judging.Criterion{
	{Key: "innovative", Max: 2500}, {Key: "exploratory", Max: 2000}, {Key: "demonstrative", Max: 2000},
	{Key: "replicable", Max: 2000}, {Key: "sustainable", Max: 1500},
}

// Sheet builds a synthetic score sheet: every judge scores every project
// against the first nCriteria criteria of the default rubric (at most 5), in
// steps of 0.5, from a project quality and a judge leniency; every project
// has a previous-round score. The same seed gives the same sheet.
func Sheet(method judging.Method, projects, judges, nCriteria int, seed uint64) judging.Sheet {
	rng := rand.New(rand.NewPCG(seed, 1))
	crit := criteria[:min(nCriteria, len(criteria))]
	s := judging.Sheet{Method: method, KeyCriterion: crit[0].Key, Criteria: crit,
		Scores: make([]judging.SheetScore, 0, projects*judges), Previous: map[string]judging.Points{}}
	if method == judging.MethodTrimmedMean {
		s.Trim = 1
	}
	quality := make([]float64, projects)
	for p := range quality {
		quality[p] = 0.45 + 0.5*rng.Float64()
		s.Previous[projectID(p)] = judging.Points(6000 + rng.IntN(4000))
	}
	leniency := make([]float64, judges)
	for j := range leniency {
		leniency[j] = 0.15 * (rng.Float64() - 0.5)
	}
	for p := range projects {
		for j := range judges {
			pts := make(judging.CriterionPoints, 0, len(crit))
			for _, c := range crit {
				f := quality[p] + leniency[j] + 0.1*(rng.Float64()-0.5)
				f = min(max(f, 0), 1)
				steps := int64(c.Max) / 50 // 0.5-point steps
				pts = append(pts, judging.CriterionPoint{Key: c.Key, Points: judging.Points(int64(f*float64(steps)+0.5) * 50)})
			}
			s.Scores = append(s.Scores, judging.SheetScore{Judge: "J" + strconv.Itoa(j+1), Project: projectID(p), Criteria: pts})
		}
	}
	return s
}

func projectID(p int) string { return fmt.Sprintf("P%04d", p+1) }

// Tree builds a synthetic unit tree: a city with 7 counties of 8 towns of
// 10 villages and 3 county departments each, and 20 city departments with 2
// sub-units each. It returns the tree and the units projects may come from.
func Tree() (*models.UnitTree, []int64) {
	var units []models.Unit
	var submitters []int64
	next := int64(1)
	add := func(parent *int64, kind models.UnitKind, submits bool) int64 {
		id := next
		next++
		units = append(units, models.Unit{ID: id, ParentID: parent, Kind: kind, Name: strconv.FormatInt(id, 10)})
		if submits {
			submitters = append(submitters, id)
		}
		return id
	}
	city := add(nil, models.UnitCity, false)
	for range 7 {
		county := add(&city, models.UnitCounty, false)
		for range 3 {
			add(&county, models.UnitDepartment, true)
		}
		for range 8 {
			town := add(&county, models.UnitTown, true)
			for range 10 {
				add(&town, models.UnitVillage, true)
			}
		}
	}
	for range 20 {
		dept := add(&city, models.UnitDepartment, true)
		for range 2 {
			add(&dept, models.UnitDepartment, true)
		}
	}
	return models.NewUnitTree(units), submitters
}

// AssignInput builds a synthetic assignment: projects from random units of
// Tree; a third of the experts from county-level units (each conflicting
// with a whole county), a third from city departments, a third from outside
// (each declaring one conflict with a city department); every fourth expert
// has a cap of 90, the others none.
func AssignInput(projects, experts, k int, seed uint64) judging.AssignInput {
	rng := rand.New(rand.NewPCG(seed, 2))
	tree, submitters := Tree()
	var countyUnits, cityDepts []int64
	for _, id := range submitters {
		anc := tree.Ancestors(id)
		u, _ := tree.Unit(id)
		switch {
		case u.Kind == models.UnitDepartment && len(anc) == 1:
			cityDepts = append(cityDepts, id)
		case u.Kind == models.UnitTown || u.Kind == models.UnitDepartment:
			if parent, ok := tree.Unit(anc[0]); ok && parent.Kind == models.UnitCounty {
				countyUnits = append(countyUnits, id)
			}
		}
	}
	in := judging.AssignInput{K: k, Seed: seed}
	for p := range projects {
		in.Projects = append(in.Projects, judging.AssignProject{ID: int64(p + 1), Unit: submitters[rng.IntN(len(submitters))]})
	}
	for e := range experts {
		var conflicts judging.ConflictSet
		switch e % 3 {
		case 0:
			aff := countyUnits[rng.IntN(len(countyUnits))]
			conflicts = judging.Conflicts(tree, &aff, nil)
		case 1:
			aff := cityDepts[rng.IntN(len(cityDepts))]
			conflicts = judging.Conflicts(tree, &aff, nil)
		default:
			conflicts = judging.Conflicts(tree, nil, []int64{cityDepts[rng.IntN(len(cityDepts))]})
		}
		ex := judging.AssignExpert{ID: int64(1000 + e), Conflicted: conflicts.Has}
		if e%4 == 0 {
			ex.Cap = 90
		}
		in.Experts = append(in.Experts, ex)
	}
	return in
}

// RankResult is the JSON line of one ranking scenario.
type RankResult struct {
	Benchmark string  `json:"benchmark"`
	Method    string  `json:"method"`
	Weights   bool    `json:"weights"`
	Projects  int     `json:"projects"`
	Experts   int     `json:"experts"`
	Criteria  int     `json:"criteria"`
	Runs      int     `json:"runs"`
	MedianMS  float64 `json:"median_ms"`
	MinMS     float64 `json:"min_ms"`
	MaxMS     float64 `json:"max_ms"`
	TargetMS  float64 `json:"target_ms"`
	ParseMS   float64 `json:"parse_ms"`
	SheetSize int     `json:"sheet_bytes"`
}

// AssignResult is the JSON line of the assignment scenario.
type AssignResult struct {
	Benchmark  string  `json:"benchmark"`
	Projects   int     `json:"projects"`
	Experts    int     `json:"experts"`
	K          int     `json:"k"`
	Runs       int     `json:"runs"`
	MedianMS   float64 `json:"median_ms"`
	MinMS      float64 `json:"min_ms"`
	MaxMS      float64 `json:"max_ms"`
	TargetMS   float64 `json:"target_ms"`
	LoadSpread int     `json:"load_spread"`
	MinLoad    int     `json:"min_load"`
	MaxLoad    int     `json:"max_load"`
	Balanced   bool    `json:"balanced"`
	Conflicted float64 `json:"conflicted_share"`
}

// Run times Rank for every method (and a composite) on the synthetic sheet,
// and Assign on the synthetic assignment, taking the median of several
// runs, and writes one JSON object per scenario to w. parse_ms is
// ParseSheet on the same sheet as JSON, for information (no target).
func Run(w io.Writer) error {
	enc := json.NewEncoder(w)
	type scenario struct {
		method  judging.Method
		weights bool
	}
	for _, sc := range []scenario{{judging.MethodMean, false}, {judging.MethodMedian, false},
		{judging.MethodTrimmedMean, false}, {judging.MethodZScore, false}, {judging.MethodTrimmedMean, true}} {
		s := Sheet(sc.method, Projects, Judges, Criteria, 1)
		if sc.weights {
			s.Weights = &judging.Weights{Panel: 6000, Previous: 3000, Audience: 1000}
		}
		var samples []float64
		for range rankRuns {
			start := time.Now()
			if _, err := judging.Rank(s); err != nil {
				return fmt.Errorf("rank %s: %w", sc.method, err)
			}
			samples = append(samples, ms(time.Since(start)))
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		var parse []float64
		for range 3 {
			start := time.Now()
			if _, err := judging.ParseSheet(bytes.NewReader(raw)); err != nil {
				return fmt.Errorf("parse %s: %w", sc.method, err)
			}
			parse = append(parse, ms(time.Since(start)))
		}
		med, lo, hi := stats(samples)
		pm, _, _ := stats(parse)
		if err := enc.Encode(RankResult{Benchmark: "ranking", Method: string(sc.method), Weights: sc.weights,
			Projects: Projects, Experts: Judges, Criteria: Criteria, Runs: rankRuns,
			MedianMS: med, MinMS: lo, MaxMS: hi, TargetMS: rankTarget, ParseMS: pm, SheetSize: len(raw)}); err != nil {
			return err
		}
	}

	in := AssignInput(Projects, Experts, PerProject, 1)
	conflicted := 0
	for _, p := range in.Projects {
		for _, e := range in.Experts {
			if e.Conflicted(p.Unit) {
				conflicted++
			}
		}
	}
	var samples []float64
	var res judging.Assignment
	for range assignRuns {
		start := time.Now()
		var err error
		if res, err = judging.Assign(in); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		samples = append(samples, ms(time.Since(start)))
	}
	med, lo, hi := stats(samples)
	return enc.Encode(AssignResult{Benchmark: "assignment", Projects: Projects, Experts: Experts, K: PerProject,
		Runs: assignRuns, MedianMS: med, MinMS: lo, MaxMS: hi, TargetMS: assignTarget,
		LoadSpread: res.MaxLoad - res.MinLoad, MinLoad: res.MinLoad, MaxLoad: res.MaxLoad, Balanced: res.Balanced,
		Conflicted: float64(conflicted) / float64(len(in.Projects)*len(in.Experts))})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func stats(samples []float64) (median, lo, hi float64) {
	s := slices.Clone(samples)
	slices.Sort(s)
	median = s[len(s)/2]
	if len(s)%2 == 0 {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return median, s[0], s[len(s)-1]
}
