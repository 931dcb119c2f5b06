package judging

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"leitai/models"
)

// randomTree builds a random city; it returns the tree, the units that may
// submit projects and every unit an expert may come from.
func randomTree(rng *rand.Rand) (*models.UnitTree, []int64, []int64) {
	var units []models.Unit
	var submitters, affiliations []int64
	next := int64(1)
	add := func(parent *int64, kind models.UnitKind) int64 {
		id := next
		next++
		units = append(units, models.Unit{ID: id, ParentID: parent, Kind: kind})
		affiliations = append(affiliations, id)
		if kind != models.UnitCity && kind != models.UnitExternal {
			submitters = append(submitters, id)
		}
		return id
	}
	city := add(nil, models.UnitCity)
	for range 1 + rng.IntN(4) {
		county := add(&city, models.UnitCounty)
		for range 1 + rng.IntN(3) {
			town := add(&county, models.UnitTown)
			for range rng.IntN(4) {
				add(&town, models.UnitVillage)
			}
		}
		for range rng.IntN(3) {
			d := add(&county, models.UnitDepartment)
			if rng.IntN(2) == 0 {
				add(&d, models.UnitDepartment)
			}
		}
	}
	for range rng.IntN(4) {
		d := add(&city, models.UnitDepartment)
		for range rng.IntN(3) {
			add(&d, models.UnitDepartment)
		}
	}
	if rng.IntN(2) == 0 {
		add(&city, models.UnitOrganisation)
	}
	for range 1 + rng.IntN(2) {
		add(nil, models.UnitExternal)
	}
	return models.NewUnitTree(units), submitters, affiliations
}

type randomCase struct {
	in       AssignInput
	conflict []ConflictSet // per expert, in input order
}

func randomAssignCase(rng *rand.Rand) randomCase {
	tree, submitters, affiliations := randomTree(rng)
	var c randomCase
	c.in = AssignInput{K: 1 + rng.IntN(4), Seed: rng.Uint64()}
	nP, nE := 1+rng.IntN(25), 1+rng.IntN(9)
	ids := rng.Perm(1000)
	for p := range nP {
		c.in.Projects = append(c.in.Projects, AssignProject{ID: int64(ids[p]), Unit: submitters[rng.IntN(len(submitters))]})
	}
	for e := range nE {
		var aff *int64
		if rng.IntN(5) > 0 {
			a := affiliations[rng.IntN(len(affiliations))]
			if a == 1 { // the city itself would conflict with everything
				a = affiliations[len(affiliations)-1]
			}
			aff = &a
		}
		var declared []int64
		if rng.IntN(4) == 0 {
			declared = []int64{submitters[rng.IntN(len(submitters))]}
		}
		cs := Conflicts(tree, aff, declared)
		c.conflict = append(c.conflict, cs)
		ex := AssignExpert{ID: int64(5000 + ids[e]), Conflicted: cs.Has}
		if rng.IntN(3) == 0 {
			ex.Cap = 1 + rng.IntN(nP)
		}
		c.in.Experts = append(c.in.Experts, ex)
	}
	return c
}

// feasible is an independent check (the textbook circulation with lower
// bounds, Edmonds–Karp on a capacity matrix) of whether every project can
// get K eligible experts with each expert's load within lo[e]…hi[e].
func feasible(elig [][]bool, k int, lo, hi []int) bool {
	nP, nE := len(elig), len(lo)
	S, T := nP+nE, nP+nE+1
	SS, TT := T+1, T+2
	n := TT + 1
	capm := make([][]int, n)
	for i := range capm {
		capm[i] = make([]int, n)
	}
	excess := make([]int, n)
	edge := func(u, v, l, c int) {
		capm[u][v] += c - l
		excess[v] += l
		excess[u] -= l
	}
	for p := range nP {
		edge(S, p, k, k)
		for e := range nE {
			if elig[p][e] {
				edge(p, nP+e, 0, 1)
			}
		}
	}
	for e := range nE {
		if lo[e] > hi[e] {
			return false
		}
		edge(nP+e, T, lo[e], hi[e])
	}
	capm[T][S] = 1 << 30
	need := 0
	for v := range n {
		if excess[v] > 0 {
			capm[SS][v] += excess[v]
			need += excess[v]
		} else if excess[v] < 0 {
			capm[v][TT] -= excess[v]
		}
	}
	flow := 0
	for {
		prev := make([]int, n)
		for i := range prev {
			prev[i] = -1
		}
		prev[SS] = SS
		queue := []int{SS}
		for len(queue) > 0 && prev[TT] < 0 {
			u := queue[0]
			queue = queue[1:]
			for v := range n {
				if capm[u][v] > 0 && prev[v] < 0 {
					prev[v] = u
					queue = append(queue, v)
				}
			}
		}
		if prev[TT] < 0 {
			return flow == need
		}
		f := 1 << 30
		for v := TT; v != SS; v = prev[v] {
			f = min(f, capm[prev[v]][v])
		}
		for v := TT; v != SS; v = prev[v] {
			capm[prev[v]][v] -= f
			capm[v][prev[v]] += f
		}
		flow += f
	}
}

// TestAssignProperties checks Assign on many random trees and inputs
// against the independent feasibility check.
func TestAssignProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2025, 11))
	var balanced, unbalanced, starved, hall int
	for iter := range 3000 {
		c := randomAssignCase(rng)
		in := c.in
		nP, nE, k := len(in.Projects), len(in.Experts), in.K
		elig := make([][]bool, nP)
		eligCount := make([]int, nE)
		for p, pr := range in.Projects {
			elig[p] = make([]bool, nE)
			for e := range in.Experts {
				elig[p][e] = !c.conflict[e].Has(pr.Unit)
				if elig[p][e] {
					eligCount[e]++
				}
			}
		}
		capOf := make([]int, nE)
		for e, ex := range in.Experts {
			capOf[e] = eligCount[e]
			if ex.Cap > 0 {
				capOf[e] = min(ex.Cap, capOf[e])
			}
		}
		plain := feasible(elig, k, make([]int, nE), capOf)
		even, evenHi := k*nP/nE, (k*nP+nE-1)/nE
		lo, hi := make([]int, nE), make([]int, nE)
		for e := range lo {
			lo[e], hi[e] = even, min(evenHi, capOf[e])
		}
		evenOK := feasible(elig, k, lo, hi)

		res, err := Assign(in)
		if err != nil {
			var inf *InfeasibleError
			if !errors.As(err, &inf) || models.KindOf(err) != models.KindInvalid {
				t.Fatalf("iter %d: error %v is not an InfeasibleError", iter, err)
			}
			if plain {
				t.Fatalf("iter %d: infeasible, but the independent check found an assignment: %v", iter, err)
			}
			var wantStarved []int64
			for p, pr := range in.Projects {
				n := 0
				for e := range elig[p] {
					if elig[p][e] {
						n++
					}
				}
				if n < k {
					wantStarved = append(wantStarved, pr.ID)
				}
			}
			slices.Sort(wantStarved)
			var gotStarved []int64
			for _, s := range inf.Starved {
				gotStarved = append(gotStarved, s.Project)
			}
			if !slices.Equal(gotStarved, wantStarved) {
				t.Fatalf("iter %d: starved %v; want %v", iter, gotStarved, wantStarved)
			}
			if len(inf.Starved) > 0 {
				starved++
				if !strings.Contains(err.Error(), "lack eligible experts") {
					t.Fatalf("iter %d: message %q", iter, err)
				}
				continue
			}
			// A Hall certificate: the group needs more than its eligible
			// experts could ever give it.
			hall++
			if len(inf.Group) == 0 || inf.Need <= inf.Available {
				t.Fatalf("iter %d: empty or inconsistent group report %+v", iter, inf)
			}
			inGroup := map[int64]bool{}
			for _, id := range inf.Group {
				inGroup[id] = true
			}
			possible := 0
			for e := range in.Experts {
				n := 0
				for p, pr := range in.Projects {
					if inGroup[pr.ID] && elig[p][e] {
						n++
					}
				}
				possible += min(n, capOf[e])
			}
			if k*len(inf.Group) <= possible {
				t.Fatalf("iter %d: group %v needs %d but could get %d: not a certificate", iter, inf.Group, k*len(inf.Group), possible)
			}
			continue
		}
		if !plain {
			t.Fatalf("iter %d: assigned, but the independent check says impossible", iter)
		}
		checkAssignment(t, in, c.conflict, res)
		if res.Balanced != evenOK {
			t.Fatalf("iter %d: balanced %v, but an even spread is feasible: %v (loads %d…%d, note %q)", iter, res.Balanced, evenOK, res.MinLoad, res.MaxLoad, res.Note)
		}
		if res.Balanced {
			balanced++
			continue
		}
		unbalanced++
		if res.Note == "" {
			t.Fatalf("iter %d: unbalanced without a note", iter)
		}
		// The maximum load is the smallest feasible one.
		for e := range hi {
			hi[e] = min(res.MaxLoad-1, capOf[e])
		}
		if feasible(elig, k, make([]int, nE), hi) {
			t.Fatalf("iter %d: max load %d, but %d is feasible", iter, res.MaxLoad, res.MaxLoad-1)
		}
	}
	t.Logf("balanced %d, feasible but unbalanced %d, starved %d, over capacity %d", balanced, unbalanced, starved, hall)
	if balanced == 0 || unbalanced == 0 || starved == 0 || hall == 0 {
		t.Errorf("the random cases miss a kind: balanced %d, unbalanced %d, starved %d, over capacity %d", balanced, unbalanced, starved, hall)
	}
}

// checkAssignment checks a complete assignment: K distinct eligible experts
// per project, caps, queues matching, loads reported right.
func checkAssignment(t *testing.T, in AssignInput, conflict []ConflictSet, res Assignment) {
	t.Helper()
	unitOf := map[int64]int64{}
	for _, p := range in.Projects {
		unitOf[p.ID] = p.Unit
	}
	expertIdx := map[int64]int{}
	for e, ex := range in.Experts {
		expertIdx[ex.ID] = e
	}
	if len(res.Projects) != len(in.Projects) || len(res.Experts) != len(in.Experts) {
		t.Fatalf("result covers %d projects and %d experts", len(res.Projects), len(res.Experts))
	}
	load := map[int64]int{}
	pairs := map[[2]int64]bool{}
	for _, pr := range res.Projects {
		if len(pr.Experts) != in.K {
			t.Fatalf("project %d has %d experts; want %d", pr.Project, len(pr.Experts), in.K)
		}
		for i, e := range pr.Experts {
			if i > 0 && pr.Experts[i-1] >= e {
				t.Fatalf("project %d: experts %v not distinct and sorted", pr.Project, pr.Experts)
			}
			if conflict[expertIdx[e]].Has(unitOf[pr.Project]) {
				t.Fatalf("project %d given to conflicted expert %d", pr.Project, e)
			}
			load[e]++
			pairs[[2]int64{pr.Project, e}] = true
		}
	}
	minLoad, maxLoad := -1, 0
	for _, q := range res.Experts {
		ex := in.Experts[expertIdx[q.Expert]]
		if ex.Cap > 0 && len(q.Projects) > ex.Cap {
			t.Fatalf("expert %d has %d projects over cap %d", q.Expert, len(q.Projects), ex.Cap)
		}
		if len(q.Projects) != load[q.Expert] {
			t.Fatalf("expert %d queue has %d projects, assigned %d", q.Expert, len(q.Projects), load[q.Expert])
		}
		for _, p := range q.Projects {
			if !pairs[[2]int64{p, q.Expert}] {
				t.Fatalf("expert %d queue holds unassigned project %d", q.Expert, p)
			}
		}
		if minLoad < 0 || len(q.Projects) < minLoad {
			minLoad = len(q.Projects)
		}
		maxLoad = max(maxLoad, len(q.Projects))
	}
	if minLoad != res.MinLoad || maxLoad != res.MaxLoad || res.Balanced != (maxLoad-minLoad <= 1) {
		t.Fatalf("loads %d…%d balanced %v; reported %d…%d %v", minLoad, maxLoad, maxLoad-minLoad <= 1, res.MinLoad, res.MaxLoad, res.Balanced)
	}
}

func TestAssignDeterminism(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	differs := 0
	for range 200 {
		c := randomAssignCase(rng)
		a, errA := Assign(c.in)
		b, errB := Assign(c.in)
		if (errA == nil) != (errB == nil) || (errA == nil && !reflect.DeepEqual(a, b)) {
			t.Fatalf("same input and seed, different results")
		}
		if errA != nil {
			if errA.Error() != errB.Error() {
				t.Fatalf("different reports: %v / %v", errA, errB)
			}
			continue
		}
		// The order of the input slices does not matter.
		shuffled := c.in
		shuffled.Projects = slices.Clone(c.in.Projects)
		shuffled.Experts = slices.Clone(c.in.Experts)
		rng.Shuffle(len(shuffled.Projects), func(i, j int) {
			shuffled.Projects[i], shuffled.Projects[j] = shuffled.Projects[j], shuffled.Projects[i]
		})
		rng.Shuffle(len(shuffled.Experts), func(i, j int) {
			shuffled.Experts[i], shuffled.Experts[j] = shuffled.Experts[j], shuffled.Experts[i]
		})
		s, err := Assign(shuffled)
		if err != nil || !reflect.DeepEqual(a, s) {
			t.Fatalf("input order changed the result: %v", err)
		}
		other := c.in
		other.Seed++
		if o, err := Assign(other); err == nil && !reflect.DeepEqual(a, o) {
			differs++
		}
	}
	if differs == 0 {
		t.Error("the seed never changed an assignment")
	}
}

func TestAssignReports(t *testing.T) {
	cases := []struct {
		name string
		in   AssignInput
		err  string
		note string
	}{
		{"too few experts", AssignInput{K: 3, Projects: []AssignProject{{ID: 1, Unit: 10}, {ID: 2, Unit: 20}},
			Experts: []AssignExpert{{ID: 7}, {ID: 8}}},
			"invalid: cannot assign 3 expert(s) to every project: 2 project(s) lack eligible experts: project 1 has 2 eligible (0 of 2 experts conflicted); project 2 has 2 eligible (0 of 2 experts conflicted)", ""},
		{"conflicts starve one project", AssignInput{K: 2, Projects: []AssignProject{{ID: 1, Unit: 10}, {ID: 2, Unit: 20}},
			Experts: []AssignExpert{{ID: 7, Conflicted: func(u int64) bool { return u == 20 }}, {ID: 8}}},
			"invalid: cannot assign 2 expert(s) to every project: 1 project(s) lack eligible experts: project 2 has 1 eligible (1 of 2 experts conflicted)", ""},
		{"caps too small", AssignInput{K: 1, Projects: []AssignProject{{ID: 1}, {ID: 2}, {ID: 3}},
			Experts: []AssignExpert{{ID: 7, Cap: 1}, {ID: 8, Cap: 1}}},
			"invalid: cannot assign 1 expert(s) to every project: projects 1, 2, 3 together need 3 reviews, but their eligible experts can give them at most 2 (experts 7, 8 are full at their caps)", ""},
		{"a cap below the even load", AssignInput{K: 1, Projects: []AssignProject{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}},
			Experts: []AssignExpert{{ID: 7, Cap: 1}, {ID: 8}}},
			"", "expert 7's cap 1 is below the even load 2; the most even feasible loads are 1…3"},
		{"conflicts below the even load", AssignInput{K: 1, Projects: []AssignProject{{ID: 1, Unit: 5}, {ID: 2, Unit: 5}, {ID: 3, Unit: 5}, {ID: 4, Unit: 6}},
			Experts: []AssignExpert{{ID: 7, Conflicted: func(u int64) bool { return u == 5 }}, {ID: 8}}},
			"", "expert 7 has no conflict with only 1 project(s), below the even load 2; the most even feasible loads are 1…3"},
		{"k below 1", AssignInput{K: 0}, "invalid: k must be at least 1, not 0", ""},
		{"duplicate project", AssignInput{K: 1, Projects: []AssignProject{{ID: 1}, {ID: 1}}}, "invalid: project 1 appears twice", ""},
		{"duplicate expert", AssignInput{K: 1, Experts: []AssignExpert{{ID: 1}, {ID: 1}}}, "invalid: expert 1 appears twice", ""},
		{"negative cap", AssignInput{K: 1, Experts: []AssignExpert{{ID: 1, Cap: -1}}}, "invalid: expert 1: cap -1 is negative", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Assign(c.in)
			if c.err != "" {
				got := ""
				if err != nil {
					got = err.Error()
					if models.KindOf(err) == models.KindInvalid {
						got = "invalid: " + strings.TrimPrefix(got, "invalid: ")
					}
				}
				if got != c.err {
					t.Fatalf("error\n got  %s\n want %s", got, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Balanced || res.Note != c.note {
				t.Errorf("balanced %v note %q; want %q", res.Balanced, res.Note, c.note)
			}
		})
	}
	// No projects, or no experts and no projects: an empty assignment.
	res, err := Assign(AssignInput{K: 2, Experts: []AssignExpert{{ID: 1}}})
	if err != nil || !res.Balanced || len(res.Experts) != 1 {
		t.Errorf("no projects: %+v %v", res, err)
	}
}
