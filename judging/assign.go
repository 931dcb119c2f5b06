package judging

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"leitai/models"
)

// AssignProject is a project to be reviewed.
type AssignProject struct {
	// ID is the project id.
	ID int64
	// Unit is the submitting unit, checked against each expert's conflicts.
	Unit int64
}

// AssignExpert is an expert who may review.
type AssignExpert struct {
	// ID is the expert's user id.
	ID int64
	// Cap is the most projects the expert will review; 0 means no limit.
	Cap int
	// Conflicted reports whether a project of the unit is conflicted for
	// the expert (e.g. the Has method of the ConflictSet from Conflicts);
	// nil means no conflicts.
	Conflicted func(unit int64) bool
}

// AssignInput is what Assign needs.
type AssignInput struct {
	// Projects are the projects to review; ids must be distinct.
	Projects []AssignProject
	// Experts are the available experts; ids must be distinct.
	Experts []AssignExpert
	// K is how many distinct experts review each project (at least 1).
	K int
	// Seed makes the result reproducible: the same input and seed give the
	// same assignment.
	Seed uint64
}

// Assignment is a complete assignment: every project has exactly K experts.
type Assignment struct {
	// Projects lists each project's experts (ids sorted), by project id.
	Projects []ProjectReviewers
	// Experts lists each expert's projects in the expert's (randomised)
	// review order, by expert id; experts without projects are included.
	Experts []ExpertQueue
	// MinLoad and MaxLoad are the fewest and most projects any expert has.
	MinLoad, MaxLoad int
	// Balanced is true when MaxLoad − MinLoad ≤ 1.
	Balanced bool
	// Note explains, when the loads could not be balanced, why (caps or
	// conflicts), and what the most even feasible loads are.
	Note string
}

// ProjectReviewers is one project's experts.
type ProjectReviewers struct {
	// Project is the project id.
	Project int64
	// Experts are the assigned experts' ids, sorted.
	Experts []int64
}

// ExpertQueue is one expert's projects in review order.
type ExpertQueue struct {
	// Expert is the expert id.
	Expert int64
	// Projects are the project ids in the order the expert reviews them.
	Projects []int64
}

// InfeasibleError reports why no complete assignment exists. Assign never
// returns a partial one. It unwraps to a models.KindInvalid error with the
// same message.
type InfeasibleError struct {
	// Starved are the projects with fewer than K eligible
	// (non-conflicted) experts.
	Starved []StarvedProject
	// Group, when Starved is empty, is a set of projects that together need
	// more reviews (Need) than their eligible experts can give them
	// (Available); Experts are the eligible experts that are full at their
	// caps.
	Group     []int64
	Experts   []int64
	Need      int
	Available int
	msg       string
}

// StarvedProject is a project with too few eligible experts.
type StarvedProject struct {
	// Project is the project id.
	Project int64
	// Eligible is how many experts have no conflict with it.
	Eligible int
	// Conflicted is how many experts have a conflict with it.
	Conflicted int
}

// Error implements error.
func (e *InfeasibleError) Error() string { return e.msg }

// Unwrap returns the models.KindInvalid error with the same message, so
// that models.KindOf and errors.Is(err, models.ErrInvalid) see it.
func (e *InfeasibleError) Unwrap() error { return models.Errorf(models.KindInvalid, "%s", e.msg) }

// Assign gives every project exactly K distinct experts with no conflict,
// respects the experts' caps and spreads the load evenly.
//
// It first checks whether a perfectly even spread is feasible: every
// expert's load within floor(K·P/E)…ceil(K·P/E) (P projects, E experts),
// under caps and conflicts, as a max-flow with lower bounds on the expert
// loads (Dinic's algorithm). When it is, that is the result (max − min ≤ 1).
// When it is not, but a complete assignment exists, it finds the smallest
// feasible maximum load and then the largest feasible minimum load under it,
// and says why in Note. When no complete assignment exists, it returns an
// *InfeasibleError naming the projects with fewer than K eligible experts,
// or else a group of projects whose eligible experts' caps cannot cover
// them.
//
// Randomness comes only from Seed (PCG): the order in which projects and
// their candidate experts enter the flow network, and each expert's review
// order. Inputs are taken in id order, so the result does not depend on the
// order of the input slices either.
func Assign(in AssignInput) (Assignment, error) {
	if in.K < 1 {
		return Assignment{}, models.Errorf(models.KindInvalid, "k must be at least 1, not %d", in.K)
	}
	projects := slices.Clone(in.Projects)
	experts := slices.Clone(in.Experts)
	slices.SortFunc(projects, func(a, b AssignProject) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(experts, func(a, b AssignExpert) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < len(projects); i++ {
		if projects[i].ID == projects[i-1].ID {
			return Assignment{}, models.Errorf(models.KindInvalid, "project %d appears twice", projects[i].ID)
		}
	}
	for i, e := range experts {
		if i > 0 && e.ID == experts[i-1].ID {
			return Assignment{}, models.Errorf(models.KindInvalid, "expert %d appears twice", e.ID)
		}
		if e.Cap < 0 {
			return Assignment{}, models.Errorf(models.KindInvalid, "expert %d: cap %d is negative", e.ID, e.Cap)
		}
	}
	nP, nE, k := len(projects), len(experts), in.K
	rng := rand.New(rand.NewPCG(in.Seed, 0x6c6569746169)) // "leitai"

	// Eligible experts per project, and the reviews each expert could do.
	eligible := make([][]int32, nP)
	eligCount := make([]int, nE)
	var starved []StarvedProject
	for p, pr := range projects {
		list := make([]int32, 0, nE)
		for e, ex := range experts {
			if ex.Conflicted == nil || !ex.Conflicted(pr.Unit) {
				list = append(list, int32(e))
				eligCount[e]++
			}
		}
		eligible[p] = list
		if len(list) < k {
			starved = append(starved, StarvedProject{Project: pr.ID, Eligible: len(list), Conflicted: nE - len(list)})
		}
	}
	if len(starved) > 0 {
		return Assignment{}, starvedError(starved, k, nE)
	}
	capOf := make([]int, nE) // effective cap: at most one review per eligible project
	for e, ex := range experts {
		capOf[e] = eligCount[e]
		if ex.Cap > 0 {
			capOf[e] = min(ex.Cap, eligCount[e])
		}
	}

	// Fix the random order once, so that every flow below sees the same.
	projOrder := rng.Perm(nP)
	for _, list := range eligible {
		rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	total := k * nP
	solve := func(lo, hi []int) (*flowNet, [][]int, bool) {
		sumLo, sumHi := 0, 0
		for e := range lo {
			sumLo += lo[e]
			sumHi += hi[e]
		}
		if sumLo > total {
			return nil, nil, false
		}
		// With Σhi < total the flow still runs: its minimum cut is the
		// report.
		const src, sink, mid = 0, 1, 2
		edges := 0
		for _, l := range eligible {
			edges += len(l)
		}
		g := newFlowNet(3+nP+nE, edges+nP+2*nE+1)
		pairEdge := make([][]int, nP)
		for _, p := range projOrder {
			g.addEdge(src, 3+p, int64(k))
		}
		for _, p := range projOrder {
			pe := make([]int, len(eligible[p]))
			for i, e := range eligible[p] {
				pe[i] = g.addEdge(3+p, 3+nP+int(e), 1)
			}
			pairEdge[p] = pe
		}
		// An expert's load is lo (to sink, saturated when the flow is
		// total) plus up to hi−lo (through mid, which carries total−Σlo).
		for e := range lo {
			if lo[e] > 0 {
				g.addEdge(3+nP+e, sink, int64(lo[e]))
			}
			if hi[e] > lo[e] {
				g.addEdge(3+nP+e, mid, int64(hi[e]-lo[e]))
			}
		}
		g.addEdge(mid, sink, int64(total-sumLo))
		return g, pairEdge, g.maxFlow(src, sink) == int64(total)
	}

	lo, hi := make([]int, nE), make([]int, nE)
	var g *flowNet
	var pairEdge [][]int
	ok := false
	note := ""
	if nE > 0 {
		even := total / nE
		evenHi := (total + nE - 1) / nE
		for e := range lo {
			lo[e], hi[e] = even, min(evenHi, capOf[e])
			if capOf[e] < even && note == "" {
				if experts[e].Cap > 0 && experts[e].Cap < even {
					note = fmt.Sprintf("expert %d's cap %d is below the even load %d", experts[e].ID, experts[e].Cap, even)
				} else {
					note = fmt.Sprintf("expert %d has no conflict with only %d project(s), below the even load %d", experts[e].ID, eligCount[e], even)
				}
			}
		}
		if note == "" {
			g, pairEdge, ok = solve(lo, hi)
			if !ok {
				note = fmt.Sprintf("conflicts and caps leave no assignment with every load in %d…%d", even, evenHi)
			}
		}
		if !ok {
			g, pairEdge, ok = solve(make([]int, nE), capOf)
			if !ok {
				return Assignment{}, hallError(g, projects, experts, eligible, capOf, k, 3, 3+nP)
			}
			// Smallest feasible maximum load, then the largest feasible
			// minimum load under it.
			maxCap := slices.Max(capOf)
			bestHi := sortSearch(evenHi, maxCap, func(u int) bool {
				for e := range hi {
					hi[e] = min(u, capOf[e])
				}
				_, _, ok := solve(make([]int, nE), hi)
				return ok
			})
			for e := range hi {
				hi[e] = min(bestHi, capOf[e])
			}
			bestLo := evenHi - sortSearch(evenHi-even, evenHi, func(d int) bool {
				l := evenHi - d
				for e := range lo {
					lo[e] = min(l, hi[e])
				}
				_, _, ok := solve(lo, hi)
				return ok
			})
			for e := range lo {
				lo[e] = min(bestLo, hi[e])
			}
			g, pairEdge, ok = solve(lo, hi)
			if !ok { // cannot happen: bestLo = 0 is the plain feasible case
				return Assignment{}, models.Errorf(models.KindInternal, "assignment: the balancing search lost feasibility")
			}
		}
	}

	res := Assignment{Projects: make([]ProjectReviewers, nP), Experts: make([]ExpertQueue, nE)}
	for e, ex := range experts {
		res.Experts[e].Expert = ex.ID
	}
	for p, pr := range projects {
		rv := ProjectReviewers{Project: pr.ID, Experts: make([]int64, 0, k)}
		for i, e := range eligible[p] {
			if g.flow(pairEdge[p][i]) > 0 {
				rv.Experts = append(rv.Experts, experts[e].ID)
				res.Experts[e].Projects = append(res.Experts[e].Projects, pr.ID)
			}
		}
		slices.Sort(rv.Experts)
		res.Projects[p] = rv
	}
	for e := range res.Experts {
		q := res.Experts[e].Projects
		rng.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
		if e == 0 || len(q) < res.MinLoad {
			res.MinLoad = len(q)
		}
		if len(q) > res.MaxLoad {
			res.MaxLoad = len(q)
		}
	}
	res.Balanced = res.MaxLoad-res.MinLoad <= 1
	if !res.Balanced {
		res.Note = fmt.Sprintf("%s; the most even feasible loads are %d…%d", note, res.MinLoad, res.MaxLoad)
	}
	return res, nil
}

// sortSearch returns the smallest x in [lo, hi] with ok(x), assuming ok is
// monotone and ok(hi) holds.
func sortSearch(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		m := lo + (hi-lo)/2
		if ok(m) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func starvedError(starved []StarvedProject, k, nE int) error {
	parts := make([]string, 0, min(len(starved), 10))
	for i, s := range starved {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(starved)-10))
			break
		}
		parts = append(parts, fmt.Sprintf("project %d has %d eligible (%d of %d experts conflicted)", s.Project, s.Eligible, s.Conflicted, nE))
	}
	msg := fmt.Sprintf("cannot assign %d expert(s) to every project: %d project(s) lack eligible experts: %s", k, len(starved), strings.Join(parts, "; "))
	return &InfeasibleError{Starved: starved, msg: msg}
}

// hallError describes the minimum cut of a failed plain flow: the projects
// on the source side together need more reviews than the experts they can
// reach are able to give.
func hallError(g *flowNet, projects []AssignProject, experts []AssignExpert, eligible [][]int32, capOf []int, k, projBase, expBase int) error {
	seen := g.reachable(0)
	e := &InfeasibleError{}
	inGroup := map[int32]bool{}
	for p := range projects {
		if !seen[projBase+p] {
			continue
		}
		e.Group = append(e.Group, projects[p].ID)
		e.Need += k
		for _, x := range eligible[p] {
			if !seen[expBase+int(x)] {
				e.Available++ // a review already given across the cut
			} else if !inGroup[x] {
				inGroup[x] = true
				e.Available += capOf[x]
				e.Experts = append(e.Experts, experts[x].ID)
			}
		}
	}
	slices.Sort(e.Experts)
	e.msg = fmt.Sprintf("cannot assign %d expert(s) to every project: projects %s together need %d reviews, but their eligible experts can give them at most %d (experts %s are full at their caps)",
		k, idList(e.Group), e.Need, e.Available, idList(e.Experts))
	return e
}

func idList(ids []int64) string {
	parts := make([]string, 0, min(len(ids), 20))
	for i, id := range ids {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("… %d more", len(ids)-20))
			break
		}
		parts = append(parts, strconv.FormatInt(id, 10))
	}
	return strings.Join(parts, ", ")
}
