package judging

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Result is a ranking. Encoded as JSON it is exactly the contract's output,
// {"ranking":[…]}; the other fields are for the server.
type Result struct {
	// Ranking lists every ranked project by rank; projects that share a
	// rank are ordered by project id.
	Ranking []Entry `json:"ranking"`
	// Ties are the groups still tied after the tie chain and the sheet's
	// decisions: the server flags them for the organiser.
	Ties []TieGroup `json:"-"`
}

// Entry is one project's place in a ranking.
type Entry struct {
	// Project is the project id.
	Project string `json:"project"`
	// Score is the ranking score (the composite when the sheet has weights,
	// else the panel score), unrounded.
	Score float64 `json:"score"`
	// Rank is the competition rank (1, 2, 2, 4).
	Rank int `json:"rank"`
	// Judges is how many judges scored the project.
	Judges int `json:"judges"`
	// MethodApplied is the aggregation applied to this project: the sheet's
	// method, or "mean" where trimmed_mean had too few judges.
	MethodApplied Method `json:"method_applied"`
	// Tied is true when the project shares its rank.
	Tied bool `json:"tied"`

	// Value is Score exactly (display it with Value.String()).
	Value Score `json:"-"`
	// Panel is the panel aggregate in points, before any composite.
	Panel Score `json:"-"`
	// Tiebreak says what set this project apart from projects with an
	// equal score; empty when its score was unique or it is still tied.
	Tiebreak Tiebreak `json:"-"`
}

// Tiebreak names the step of the tie chain that separated a project from
// others with an equal score.
type Tiebreak string

// The tie-chain steps, in order.
const (
	TiebreakKeyCriterion Tiebreak = "key_criterion"
	TiebreakPrevious     Tiebreak = "previous"
	TiebreakDecision     Tiebreak = "decision"
)

// TieGroup is a group of projects that share a rank.
type TieGroup struct {
	// Rank is the rank they share.
	Rank int
	// Projects are their ids, sorted.
	Projects []string
}

type rankRow struct {
	score, panel Score
	key          *big.Rat // nil when no judge gave key-criterion points
	prev         Points
	hasPrev      bool
	judges       int
	applied      Method
	tiebreak     Tiebreak
}

// Rank ranks the projects of a score sheet as the contract says.
//
// The ranked projects are those named in scores and, when the sheet has
// weights, also those named in previous or audience (their missing panel
// counts 0). Each project's panel score aggregates its judges' totals by
// the sheet's method: exactly (a rational) for mean, median and
// trimmed_mean, in float64 for zscore. With weights the ranking score is the
// composite Σ weight × component / 100 (exact when the panel score is).
//
// Equal scores go through the tie chain: (1) the key criterion's points
// aggregated by the sheet's method (the plain mean for zscore) over the
// judges who gave criterion points, higher first; (2) the previous-round
// score, higher first. A step applies to a group of equal projects only when
// every one of them has data for it; otherwise it is skipped for that group,
// because a project without data can be placed neither above nor below one
// with data. What is still tied shares its competition rank with Tied set.
// (3) Each decision must name exactly one such still-tied group, all of it
// and nothing else; it ranks the group in its order (ranks r, r+1, …). A
// decision that names untied projects, a part of a group or projects from
// two groups is an error, so a stale decision never silently reorders
// anything. Ties are never broken by id or input order: still-tied projects
// share their rank and are listed by id.
//
// Rank validates the sheet first (Validate). Errors are models.KindInvalid
// with a one-line message.
func Rank(s Sheet) (Result, error) {
	p, err := prepare(&s)
	if err != nil {
		return Result{}, err
	}
	rows := scoreRows(&s, p)
	groups := rankGroups(rows)
	rankOf, groupOf := ranks(groups, len(rows))
	if err := applyDecisions(p, rows, groups, rankOf, groupOf); err != nil {
		return Result{}, err
	}
	return result(p, rows, groups, rankOf), nil
}

// rankGroup is a run of projects at consecutive ranks: one project, or a
// group the chain could not break (tied, listed by id).
type rankGroup struct {
	members []int
	tied    bool
}

// scoreRows works out each project's panel score (the round's method, or
// z-scores), its key-criterion aggregate, its previous score and the
// ranking score (the composite when the sheet has weights).
func scoreRows(s *Sheet, p *prepared) []rankRow {
	n := len(p.projects)
	rows := make([]rankRow, n)
	var z []float64
	if s.Method == MethodZScore {
		z = zscorePanels(p)
	}
	keyMethod := s.Method
	if keyMethod == MethodZScore {
		keyMethod = MethodMean
	}
	var totals, keys []Points
	for i, group := range p.byProject {
		r := &rows[i]
		r.judges = len(group)
		totals, keys = totals[:0], keys[:0]
		for _, js := range group {
			totals = append(totals, js.total)
			if js.hasKey() {
				keys = append(keys, js.key)
			}
		}
		if z != nil {
			r.panel, r.applied = FloatScore(z[i]), MethodZScore
		} else {
			var agg *big.Rat
			agg, r.applied = aggregate(s.Method, s.Trim, totals)
			r.panel = ExactScore(agg)
		}
		if len(keys) > 0 {
			r.key, _ = aggregate(keyMethod, s.Trim, keys)
		}
		r.prev, r.hasPrev = s.Previous[p.projects[i]]
		r.score = r.panel
		if s.Weights != nil {
			r.score = composite(s.Weights, r.panel, p.maxSum, r.prev, s.Audience[p.projects[i]])
		}
	}
	return rows
}

// rankGroups orders the projects by score, then walks each equal-score
// group through the tie-break chain (key criterion, previous round).
func rankGroups(rows []rankRow) []rankGroup {
	n := len(rows)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := rows[b].score.Cmp(rows[a].score); c != 0 {
			return c
		}
		return a - b // projects are numbered in id order
	})

	// Walk the equal-score groups through the chain; emit ranked groups.
	var groups []rankGroup
	var refine func(members []int, step int)
	refine = func(members []int, step int) {
		if len(members) == 1 {
			groups = append(groups, rankGroup{members: members})
			return
		}
		for ; step < 2; step++ {
			has := func(i int) bool { return rows[i].key != nil }
			cmpStep := func(a, b int) int { return cmpRat(rows[b].key, rows[a].key) }
			label := TiebreakKeyCriterion
			if step == 1 {
				has = func(i int) bool { return rows[i].hasPrev }
				cmpStep = func(a, b int) int { return cmp.Compare(rows[b].prev, rows[a].prev) }
				label = TiebreakPrevious
			}
			if !allOf(members, has) {
				continue // the step has no data for this group
			}
			slices.SortStableFunc(members, cmpStep)
			for i := 0; i < len(members); {
				j := i + 1
				for j < len(members) && cmpStep(members[i], members[j]) == 0 {
					j++
				}
				if j-i == 1 {
					rows[members[i]].tiebreak = label
				}
				refine(members[i:j], step+1)
				i = j
			}
			return
		}
		slices.Sort(members) // still tied: listed by id, same rank
		groups = append(groups, rankGroup{members: members, tied: true})
	}
	for i := 0; i < n; {
		j := i + 1
		for j < n && rows[order[j]].score.Cmp(rows[order[i]].score) == 0 {
			j++
		}
		refine(order[i:j], 0) // refine reorders only within the group
		i = j
	}
	return groups
}

// ranks gives each project its rank (shared within a tied group) and its
// group.
func ranks(groups []rankGroup, n int) (rankOf, groupOf []int) {
	rankOf, groupOf = make([]int, n), make([]int, n)
	pos := 0
	for gi, g := range groups {
		for _, m := range g.members {
			rankOf[m] = pos + 1
			groupOf[m] = gi
		}
		pos += len(g.members)
	}
	return rankOf, groupOf
}

// applyDecisions orders each tied group an organiser decided, in the
// decision's order; a decision must order one whole tied group.
func applyDecisions(p *prepared, rows []rankRow, groups []rankGroup, rankOf, groupOf []int) error {
	for di, d := range p.decisions {
		where := fmt.Sprintf("decisions[%d]", di)
		gi := groupOf[d[0]]
		for _, m := range d {
			if !groups[groupOf[m]].tied {
				return sheetError(where, "%s: project %q is not tied (it is ranked %d alone); a decision orders a tied group", where, p.projects[m], rankOf[m])
			}
			if groupOf[m] != gi {
				return sheetError(where, "%s: projects %q (rank %d) and %q (rank %d) are not tied with each other", where, p.projects[d[0]], rankOf[d[0]], p.projects[m], rankOf[m])
			}
		}
		g := &groups[gi]
		if len(d) != len(g.members) {
			return sheetError(where, "%s: orders %d of the %d projects tied at rank %d (%s); it must order the whole group", where, len(d), len(g.members), rankOf[d[0]], quoteIDs(p.projects, g.members))
		}
		g.members = slices.Clone(d)
		g.tied = false
		for k, m := range g.members {
			rankOf[m] += k
			rows[m].tiebreak = TiebreakDecision
		}
	}
	return nil
}

// result lists the ranking and the ties left.
func result(p *prepared, rows []rankRow, groups []rankGroup, rankOf []int) Result {
	n := len(rows)
	res := Result{Ranking: make([]Entry, 0, n)}
	for _, g := range groups {
		if g.tied {
			tg := TieGroup{Rank: rankOf[g.members[0]]}
			for _, m := range g.members {
				tg.Projects = append(tg.Projects, p.projects[m])
			}
			res.Ties = append(res.Ties, tg)
		}
		for _, m := range g.members {
			r := rows[m]
			e := Entry{
				Project: p.projects[m], Score: r.score.Float64(), Rank: rankOf[m],
				Judges: r.judges, MethodApplied: r.applied, Tied: g.tied,
				Value: r.score, Panel: r.panel, Tiebreak: r.tiebreak,
			}
			if g.tied {
				e.Tiebreak = ""
			}
			res.Ranking = append(res.Ranking, e)
		}
	}
	return res
}

func allOf(members []int, has func(int) bool) bool {
	for _, m := range members {
		if !has(m) {
			return false
		}
	}
	return true
}

func quoteIDs(ids []string, members []int) string {
	parts := make([]string, len(members))
	for i, m := range members {
		parts[i] = strconv.Quote(ids[m])
	}
	return strings.Join(parts, ", ")
}
