package judging

import (
	"fmt"
	"slices"
	"strings"
)

// prepared is a validated sheet indexed for ranking: projects and judges
// are numbered in sorted id order, so that every result is independent of
// the order of the input.
type prepared struct {
	keyIdx   int    // index of the key criterion, -1 when none
	maxSum   Points // sum of the criteria's maxima, 0 without criteria
	projects []string
	judges   []string
	// byProject lists each project's scores in input order; sortByJudge
	// orders them by judge where float sums must not depend on the input.
	byProject [][]judgeScore
	decisions [][]int // project indices per decision
}

// judgeScore is one score as ranking needs it (24 bytes: a sheet has
// tens of thousands).
type judgeScore struct {
	total   Points
	key     Points // the key criterion's points; -1 when not given
	judge   int32
	project int32
}

func (js judgeScore) hasKey() bool { return js.key >= 0 }

// maxTrim keeps 2·trim+3 far from overflowing.
const maxTrim = 1 << 20

func prepare(s *Sheet) (*prepared, error) {
	if err := checkMethod(s); err != nil {
		return nil, err
	}
	p := &prepared{keyIdx: -1}
	criterionIdx, err := p.readCriteria(s)
	if err != nil {
		return nil, err
	}
	if err := checkWeights(s.Weights); err != nil {
		return nil, err
	}
	// Number projects and judges in order of appearance, then renumber them
	// in sorted id order.
	projIdx := map[string]int32{}
	raw, err := p.readScores(s, criterionIdx, projIdx)
	if err != nil {
		return nil, err
	}
	if err := p.readComponents(s, projIdx); err != nil {
		return nil, err
	}
	if err := p.group(s, raw, projIdx); err != nil {
		return nil, err
	}
	if err := p.readDecisions(s, projIdx); err != nil {
		return nil, err
	}
	return p, nil
}

// checkMethod checks the aggregation method and its trim.
func checkMethod(s *Sheet) error {
	switch {
	case s.Method == "":
		return sheetError("method", "method is required (mean, median, trimmed_mean or zscore)")
	case !s.Method.Valid():
		return sheetError("method", "unknown method %q (want mean, median, trimmed_mean or zscore)", string(s.Method))
	case s.Trim < 0:
		return sheetError("trim", "trim %d is negative; it must be 0 or more", s.Trim)
	case s.Trim > maxTrim:
		return sheetError("trim", "trim %d is too large", s.Trim)
	case s.Trim != 0 && s.Method != MethodTrimmedMean:
		return sheetError("trim", "trim %d applies only to trimmed_mean, but the method is %s", s.Trim, s.Method)
	}
	return nil
}

// readCriteria checks the rubric and the key criterion, sums the maxima
// and returns each criterion's index + 1 by key.
func (p *prepared) readCriteria(s *Sheet) (map[string]int, error) {
	criterionIdx := make(map[string]int, len(s.Criteria))
	for i, c := range s.Criteria {
		where := fmt.Sprintf("criteria[%d]", i)
		switch {
		case c.Key == "":
			return nil, sheetError(where+".key", "%s: key is required", where)
		case criterionIdx[c.Key] > 0:
			return nil, sheetError(where+".key", "%s: criterion %q appears twice (also criteria[%d])", where, c.Key, criterionIdx[c.Key]-1)
		case c.Max <= 0:
			return nil, sheetError(where+".max", "%s %q: max %s must be above 0", where, c.Key, c.Max.Text())
		case c.Max > MaxPoints:
			return nil, sheetError(where+".max", "%s %q: max %s is above the largest accepted value 1000000", where, c.Key, c.Max.Text())
		}
		criterionIdx[c.Key] = i + 1
		p.maxSum += c.Max
		if p.maxSum > MaxPoints {
			return nil, sheetError("criteria", "the criteria's maxima sum to more than 1000000")
		}
	}
	if s.KeyCriterion != "" {
		i, ok := criterionIdx[s.KeyCriterion]
		if !ok {
			return nil, sheetError("key_criterion", "key_criterion %q is not among the criteria", s.KeyCriterion)
		}
		p.keyIdx = i - 1
	}
	return criterionIdx, nil
}

// checkWeights checks a composite's weights: each 0–100, summing to 100.
func checkWeights(w *Weights) error {
	if w == nil {
		return nil
	}
	for _, c := range []struct {
		name string
		v    Points
	}{{"panel", w.Panel}, {"previous", w.Previous}, {"audience", w.Audience}} {
		if c.v < 0 {
			return sheetError("weights."+c.name, "weights.%s: %s is negative", c.name, c.v.Text())
		}
		if c.v > 100*Scale {
			return sheetError("weights."+c.name, "weights.%s: %s is above 100", c.name, c.v.Text())
		}
	}
	if sum := w.Panel + w.Previous + w.Audience; sum != 100*Scale {
		return sheetError("weights", "weights sum to %s; they must sum to 100", sum.Text())
	}
	return nil
}

// intern numbers id in order of appearance.
func intern(m map[string]int32, names *[]string, id string) int32 {
	i, ok := m[id]
	if !ok {
		i = int32(len(*names))
		m[id] = i
		*names = append(*names, id)
	}
	return i
}

// readScores checks every score (the fast path only checks; scoreError
// words the first problem) and numbers its project and judge.
func (p *prepared) readScores(s *Sheet, criterionIdx map[string]int, projIdx map[string]int32) ([]judgeScore, error) {
	judgeIdx := map[string]int32{}
	raw := make([]judgeScore, len(s.Scores))
	lastProject, lastProjectIdx := "", int32(-1)
	lastJudge := int32(-1)
	for i := range s.Scores {
		sc := &s.Scores[i]
		// The fast path only checks; scoreError words the first problem.
		r := judgeScore{key: -1}
		ok := sc.Judge != "" && sc.Project != "" && (sc.Criteria == nil) != (sc.Total == nil)
		if ok && sc.Total != nil {
			r.total = *sc.Total
			ok = r.total >= 0 && r.total <= MaxPoints && (p.maxSum == 0 || r.total <= p.maxSum)
		} else if ok {
			r.total, r.key, ok = matchCriteria(sc.Criteria, s.Criteria, p.keyIdx, criterionIdx)
		}
		if !ok {
			return nil, scoreError(s, i, p.maxSum, criterionIdx)
		}
		if sc.Project != lastProject || lastProjectIdx < 0 {
			lastProject, lastProjectIdx = sc.Project, intern(projIdx, &p.projects, sc.Project)
		}
		r.project = lastProjectIdx
		// Sheets list judges in a repeating order: try the judge after the
		// previous one before hashing.
		if g := lastJudge + 1; g < int32(len(p.judges)) && p.judges[g] == sc.Judge {
			lastJudge = g
		} else if len(p.judges) > 0 && p.judges[0] == sc.Judge {
			lastJudge = 0
		} else {
			lastJudge = intern(judgeIdx, &p.judges, sc.Judge)
		}
		r.judge = lastJudge
		raw[i] = r
	}
	return raw, nil
}

// readComponents checks the previous and audience points; with weights
// they are components, and a project named there is ranked even without
// panel scores (its panel counts 0).
func (p *prepared) readComponents(s *Sheet, projIdx map[string]int32) error {
	for _, c := range []struct {
		name string
		m    map[string]Points
	}{{"previous", s.Previous}, {"audience", s.Audience}} {
		bad := func(k string, v Points) bool { return k == "" || v < 0 || (s.Weights != nil && v > 100*Scale) }
		first, found := "", false // the first bad key in id order, for a stable message
		for k, v := range c.m {
			if bad(k, v) && (!found || k < first) {
				first, found = k, true
			}
			if s.Weights != nil {
				intern(projIdx, &p.projects, k)
			}
		}
		if found {
			v := c.m[first]
			field := fmt.Sprintf("%s %q", c.name, first)
			switch {
			case first == "":
				return sheetError(c.name, "%s: a project id is empty", c.name)
			case v < 0:
				return sheetError(c.name+"."+first, "%s: %s is negative", field, v.Text())
			default:
				return sheetError(c.name+"."+first, "%s: %s is above 100 (a composite component is 0–100)", field, v.Text())
			}
		}
	}
	return nil
}

// group renumbers projects and judges in sorted id order, groups the
// scores by project and refuses a judge who scored a project twice.
func (p *prepared) group(s *Sheet, raw []judgeScore, projIdx map[string]int32) error {
	projRemap := sortedRemap(p.projects)
	judgeRemap := sortedRemap(p.judges)
	slices.Sort(p.projects)
	slices.Sort(p.judges)
	for id := range projIdx {
		projIdx[id] = projRemap[projIdx[id]]
	}

	// Group scores by project (counting sort, keeping the input order) and
	// find a judge who scored a project twice.
	counts := make([]int, len(p.projects)+1)
	for i := range raw {
		raw[i].project = projRemap[raw[i].project]
		raw[i].judge = judgeRemap[raw[i].judge]
		counts[raw[i].project+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	flat := make([]judgeScore, len(raw))
	fill := slices.Clone(counts[:len(p.projects)])
	for _, r := range raw {
		flat[fill[r.project]] = r
		fill[r.project]++
	}
	p.byProject = make([][]judgeScore, len(p.projects))
	stamp := make([]int32, len(p.judges)) // project+1 last seen per judge
	dup := false
	for pi := range p.projects {
		group := flat[counts[pi]:counts[pi+1]]
		for _, js := range group {
			dup = dup || stamp[js.judge] == int32(pi)+1
			stamp[js.judge] = int32(pi) + 1
		}
		p.byProject[pi] = group
	}
	if dup {
		return duplicateError(s)
	}
	return nil
}

// readDecisions checks the organisers' tie decisions and indexes them.
func (p *prepared) readDecisions(s *Sheet, projIdx map[string]int32) error {
	seenIn := map[string]int{}
	for i, d := range s.Decisions {
		where := fmt.Sprintf("decisions[%d]", i)
		if len(d.Order) < 2 {
			return sheetError(where+".order", "%s: order needs at least 2 projects", where)
		}
		if strings.TrimSpace(d.Reason) == "" {
			return sheetError(where+".reason", "%s: reason is required", where)
		}
		idx := make([]int, len(d.Order))
		for j, id := range d.Order {
			pi, ok := projIdx[id]
			if !ok {
				return sheetError(where+".order", "%s: unknown project %q (not ranked in this sheet)", where, id)
			}
			if prev, dup := seenIn[id]; dup {
				if prev == i {
					return sheetError(where+".order", "%s: project %q appears twice", where, id)
				}
				return sheetError(where+".order", "%s: project %q is already ordered by decisions[%d]", where, id, prev)
			}
			seenIn[id] = i
			idx[j] = int(pi)
		}
		p.decisions = append(p.decisions, idx)
	}
	return nil
}

func duplicateError(s *Sheet) error {
	first := make(map[[2]string]int, len(s.Scores))
	for i, sc := range s.Scores {
		k := [2]string{sc.Judge, sc.Project}
		if j, ok := first[k]; ok {
			return sheetError(fmt.Sprintf("scores[%d]", i), "scores[%d]: judge %q scored project %q twice (also scores[%d])", i, sc.Judge, sc.Project, j)
		}
		first[k] = i
	}
	return sheetError("scores", "a judge scored a project twice") // not reached
}

// scoreError words the first problem of s.Scores[i], which the fast path
// of prepare found wanting.
func scoreError(s *Sheet, i int, maxSum Points, criterionIdx map[string]int) error {
	sc := &s.Scores[i]
	where := fmt.Sprintf("scores[%d]", i)
	if sc.Judge == "" {
		return sheetError(where+".judge", "%s: judge is required", where)
	}
	if sc.Project == "" {
		return sheetError(where+".project", "%s: project is required", where)
	}
	who := fmt.Sprintf("%s (judge %q, project %q)", where, sc.Judge, sc.Project)
	switch {
	case sc.Criteria != nil && sc.Total != nil:
		return sheetError(where, "%s: has both criteria and total; give one", who)
	case sc.Criteria == nil && sc.Total == nil:
		return sheetError(where, "%s: has neither criteria nor total", who)
	case sc.Total != nil:
		t := *sc.Total
		switch {
		case t < 0:
			return sheetError(where+".total", "%s: total %s is negative", who, t.Text())
		case maxSum > 0 && t > maxSum:
			return sheetError(where+".total", "%s: total %s is above the criteria's maximum %s", who, t.Text(), maxSum.Text())
		default:
			return sheetError(where+".total", "%s: total %s is above the largest accepted value 1000000", who, t.Text())
		}
	case len(s.Criteria) == 0:
		return sheetError(where+".criteria", "%s: gives criterion points, but the sheet defines no criteria", who)
	}
	keys := make([]string, 0, len(sc.Criteria))
	for _, c := range sc.Criteria {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if _, ok := criterionIdx[k]; !ok {
			return sheetError(where+".criteria."+k, "%s: unknown criterion %q", who, k)
		}
		if i > 0 && keys[i-1] == k {
			return sheetError(where+".criteria."+k, "%s: criterion %q is given twice", who, k)
		}
	}
	for _, c := range s.Criteria {
		v, ok := sc.Criteria.Get(c.Key)
		if !ok {
			return sheetError(where+".criteria."+c.Key, "%s: criterion %q is missing", who, c.Key)
		}
		if v < 0 || v > c.Max {
			return sheetError(where+".criteria."+c.Key, "%s: criterion %q: %s is outside 0…%s", who, c.Key, v.Text(), c.Max.Text())
		}
	}
	return sheetError(where, "%s: is not valid", who) // not reached
}

// matchCriteria checks a score's criterion points against the rubric and
// sums them: every criterion exactly once, each within 0…max; key is the
// key criterion's points (-1 without one). Points given
// in the rubric's order (what ParseSheet reads from a sheet written in
// order, and what the server builds) are matched by position.
func matchCriteria(given CriterionPoints, rubric []Criterion, keyIdx int, criterionIdx map[string]int) (total, key Points, ok bool) {
	key = -1
	if len(given) != len(rubric) || len(rubric) == 0 {
		return 0, 0, false
	}
	inOrder := true
	for i := range given {
		if given[i].Key != rubric[i].Key {
			inOrder = false
			break
		}
	}
	if inOrder {
		for i := range given {
			v := given[i].Points
			if v < 0 || v > rubric[i].Max {
				return 0, 0, false
			}
			total += v
		}
		if keyIdx >= 0 {
			key = given[keyIdx].Points
		}
		return total, key, true
	}
	var seen [64]bool // rubrics are small; a longer one takes the map below
	var seenMap map[int]bool
	for _, g := range given {
		ci, known := criterionIdx[g.Key]
		if !known {
			return 0, 0, false
		}
		ci--
		if ci < len(seen) {
			if seen[ci] {
				return 0, 0, false
			}
			seen[ci] = true
		} else {
			if seenMap == nil {
				seenMap = map[int]bool{}
			}
			if seenMap[ci] {
				return 0, 0, false
			}
			seenMap[ci] = true
		}
		if g.Points < 0 || g.Points > rubric[ci].Max {
			return 0, 0, false
		}
		total += g.Points
		if ci == keyIdx {
			key = g.Points
		}
	}
	return total, key, true // len(given) == len(rubric), no repeats: all present
}

// sortByJudge orders each project's scores by judge (ids are unique
// within a project once prepare succeeded).
func (p *prepared) sortByJudge() {
	for _, g := range p.byProject {
		slices.SortFunc(g, func(a, b judgeScore) int { return int(a.judge) - int(b.judge) })
	}
}

// sortedRemap maps each index of names to its index in sorted order.
func sortedRemap(names []string) []int32 {
	order := make([]int32, len(names))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	remap := make([]int32, len(names))
	for newIdx, old := range order {
		remap[old] = int32(newIdx)
	}
	return remap
}
