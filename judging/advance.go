package judging

import (
	"fmt"
	"slices"
	"strings"

	"leitai/models"
)

// AdvanceRule says which projects of a ranking go on to the next round:
// the top N or those at or above a threshold (exactly one of the two), then
// the organiser's overrides.
type AdvanceRule struct {
	// Top advances the projects ranked 1…Top; 0 when Threshold is used.
	Top int
	// Threshold advances the projects whose exact ranking score is ≥ it;
	// nil when Top is used.
	Threshold *Points
	// Overrides add or remove projects after the rule, each with a reason.
	Overrides []Override
}

// Override is the organiser's decision to add a project the rule left out,
// or to remove one it let through.
type Override struct {
	// Project is the project id.
	Project string
	// Advance is true to add the project, false to remove it.
	Advance bool
	// Reason is mandatory and is published with the result.
	Reason string
}

// Advancement is the outcome of an AdvanceRule on a ranking.
type Advancement struct {
	// Advancing lists the advancing projects in ranking order.
	Advancing []string
	// ByRule lists the projects the rule alone selected, in ranking order.
	ByRule []string
	// Added and Removed are the overrides applied, in the order given.
	Added, Removed []Override
	// TieAtCut lists a still-tied group that straddles a top-N cut: all of
	// it advances (they share a rank within the top N), so more than N
	// projects advance; the organiser may settle it with a decision or an
	// override instead.
	TieAtCut []string
}

// Advance applies rule to a ranking. It refuses a rule with both or neither
// of Top and Threshold, a negative threshold, overrides without a reason,
// for unknown projects, for a project twice, adding a project that already
// advances or removing one that does not. A threshold compares the exact
// score, not its rounded display: 79.996 does not reach 80.
func Advance(r Result, rule AdvanceRule) (Advancement, error) {
	switch {
	case rule.Top < 0:
		return Advancement{}, models.Errorf(models.KindInvalid, "top %d is negative", rule.Top)
	case rule.Top > 0 && rule.Threshold != nil:
		return Advancement{}, models.Errorf(models.KindInvalid, "give either a top N or a threshold, not both")
	case rule.Top == 0 && rule.Threshold == nil:
		return Advancement{}, models.Errorf(models.KindInvalid, "give a top N or a threshold")
	case rule.Threshold != nil && *rule.Threshold < 0:
		return Advancement{}, models.Errorf(models.KindInvalid, "threshold %s is negative", rule.Threshold.Text())
	}
	var a Advancement
	in := map[string]bool{}
	known := map[string]bool{}
	for _, e := range r.Ranking {
		known[e.Project] = true
		pass := false
		if rule.Top > 0 {
			pass = e.Rank <= rule.Top
			if pass && e.Tied && e.Rank+countRank(r, e.Rank)-1 > rule.Top {
				a.TieAtCut = append(a.TieAtCut, e.Project)
			}
		} else {
			pass = e.Value.Cmp(ExactScore(rule.Threshold.Rat())) >= 0
		}
		if pass {
			in[e.Project] = true
			a.ByRule = append(a.ByRule, e.Project)
		}
	}
	seen := map[string]int{}
	for i, o := range rule.Overrides {
		where := fmt.Sprintf("overrides[%d]", i)
		switch {
		case !known[o.Project]:
			return Advancement{}, models.Errorf(models.KindInvalid, "%s: unknown project %q", where, o.Project)
		case strings.TrimSpace(o.Reason) == "":
			return Advancement{}, models.Errorf(models.KindInvalid, "%s: project %q: a reason is required", where, o.Project)
		}
		if j, dup := seen[o.Project]; dup {
			return Advancement{}, models.Errorf(models.KindInvalid, "%s: project %q is already overridden by overrides[%d]", where, o.Project, j)
		}
		seen[o.Project] = i
		if o.Advance {
			if in[o.Project] {
				return Advancement{}, models.Errorf(models.KindInvalid, "%s: project %q already advances", where, o.Project)
			}
			in[o.Project] = true
			a.Added = append(a.Added, o)
		} else {
			if !in[o.Project] {
				return Advancement{}, models.Errorf(models.KindInvalid, "%s: project %q does not advance", where, o.Project)
			}
			delete(in, o.Project)
			a.Removed = append(a.Removed, o)
		}
	}
	for _, e := range r.Ranking {
		if in[e.Project] {
			a.Advancing = append(a.Advancing, e.Project)
		}
	}
	return a, nil
}

// countRank counts the entries sharing rank.
func countRank(r Result, rank int) int {
	i, _ := slices.BinarySearchFunc(r.Ranking, rank, func(e Entry, t int) int { return e.Rank - t })
	n := 0
	for ; i < len(r.Ranking) && r.Ranking[i].Rank == rank; i++ {
		n++
	}
	return n
}
