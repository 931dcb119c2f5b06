package judging

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"leitai/models"
)

// OutlierZ is how many population standard deviations from a project's
// mean a score must lie to be reported as an outlier.
const OutlierZ = 2

// JudgeStat describes one judge's scoring in a sheet; all figures are judge
// totals in points.
type JudgeStat struct {
	// Judge is the judge id.
	Judge string
	// Scores is how many projects the judge scored.
	Scores int
	// Mean is the judge's mean total.
	Mean float64
	// SD is the population standard deviation of the judge's totals.
	SD float64
	// Leniency is Mean minus the mean, over the same projects, of each
	// project's panel mean (the plain mean of all its judges' totals):
	// positive for a lenient judge, negative for a strict one.
	Leniency float64
}

// Outlier is a score far from the other scores of its project.
type Outlier struct {
	// Judge and Project identify the score.
	Judge, Project string
	// Total is the judge's total.
	Total float64
	// ProjectMean and ProjectSD are the mean and population standard
	// deviation of all the project's totals, this one included.
	ProjectMean, ProjectSD float64
	// Z is (Total − ProjectMean) / ProjectSD; |Z| > OutlierZ.
	Z float64
}

// JudgeReport is the judge statistics of a sheet.
type JudgeReport struct {
	// Judges are sorted by judge id.
	Judges []JudgeStat
	// Outliers are sorted by project, then judge.
	Outliers []Outlier
}

// JudgeStatistics computes per-judge mean, standard deviation and leniency,
// and the outlier scores (beyond OutlierZ population standard deviations of
// their project's totals, the score itself included; so with n judges no
// score can be further than (n−1)/√n deviations, and with 5 or fewer judges
// none is ever flagged). The sheet is validated first.
func JudgeStatistics(s Sheet) (JudgeReport, error) {
	p, err := prepare(&s)
	if err != nil {
		return JudgeReport{}, err
	}
	p.sortByJudge()
	nj := len(p.judges)
	count := make([]int, nj)
	sum := make([]float64, nj)
	panelSum := make([]float64, nj)
	pmean := make([]float64, len(p.projects))
	var rep JudgeReport
	for pi, group := range p.byProject {
		if len(group) == 0 {
			continue
		}
		var s int64
		for _, js := range group {
			s += int64(js.total)
		}
		mu := float64(s) / float64(len(group)) / Scale
		pmean[pi] = mu
		var sq float64
		for _, js := range group {
			d := js.total.Float64() - mu
			sq += d * d
			count[js.judge]++
			sum[js.judge] += js.total.Float64()
			panelSum[js.judge] += mu
		}
		sd := math.Sqrt(sq / float64(len(group)))
		if sd == 0 {
			continue
		}
		for _, js := range group {
			z := (js.total.Float64() - mu) / sd
			if math.Abs(z) > OutlierZ {
				rep.Outliers = append(rep.Outliers, Outlier{Judge: p.judges[js.judge], Project: p.projects[pi],
					Total: js.total.Float64(), ProjectMean: mu, ProjectSD: sd, Z: z})
			}
		}
	}
	rep.Judges = make([]JudgeStat, nj)
	for j := range rep.Judges {
		st := JudgeStat{Judge: p.judges[j], Scores: count[j]}
		if count[j] > 0 {
			st.Mean = sum[j] / float64(count[j])
			st.Leniency = st.Mean - panelSum[j]/float64(count[j])
		}
		rep.Judges[j] = st
	}
	var sq = make([]float64, nj)
	for _, group := range p.byProject {
		for _, js := range group {
			d := js.total.Float64() - rep.Judges[js.judge].Mean
			sq[js.judge] += d * d
		}
	}
	for j := range rep.Judges {
		if count[j] > 0 {
			rep.Judges[j].SD = math.Sqrt(sq[j] / float64(count[j]))
		}
	}
	return rep, nil
}

// KendallW returns Kendall's coefficient of concordance W (0 = no agreement,
// 1 = complete agreement) of the given judges over the given projects, from
// their totals in the sheet: each judge's totals are ranked (tied totals
// share the mean rank) and W = 12·S / (m²(n³ − n) − m·ΣT) with the tie
// correction T = Σ(t³ − t) per judge, S the sum of squared deviations of the
// rank sums, m judges and n projects. Every judge must have scored every
// project; at least 2 of each are needed, and W is undefined (an error) when
// every judge tied every project.
func KendallW(s Sheet, judges, projects []string) (float64, error) {
	if len(judges) < 2 || len(projects) < 2 {
		return 0, models.Errorf(models.KindInvalid, "Kendall's W needs at least 2 judges and 2 projects")
	}
	p, err := prepare(&s)
	if err != nil {
		return 0, err
	}
	jIdx := indexOf(p.judges)
	pIdx := indexOf(p.projects)
	m, n := len(judges), len(projects)
	rows := make([]int, m) // position in judges of each sheet judge used
	seenJ := map[string]bool{}
	for i, j := range judges {
		if seenJ[j] {
			return 0, models.Errorf(models.KindInvalid, "judge %q is listed twice", j)
		}
		seenJ[j] = true
		if _, ok := jIdx[j]; !ok {
			return 0, models.Errorf(models.KindInvalid, "judge %q has no scores in the sheet", j)
		}
		rows[i] = jIdx[j]
	}
	totals := make([][]Points, m) // totals[judge][project]
	have := make([][]bool, m)
	for i := range totals {
		totals[i] = make([]Points, n)
		have[i] = make([]bool, n)
	}
	seenP := map[string]bool{}
	for c, id := range projects {
		if seenP[id] {
			return 0, models.Errorf(models.KindInvalid, "project %q is listed twice", id)
		}
		seenP[id] = true
		pi, ok := pIdx[id]
		if !ok {
			return 0, models.Errorf(models.KindInvalid, "project %q has no scores in the sheet", id)
		}
		for _, js := range p.byProject[pi] {
			for r, j := range rows {
				if int(js.judge) == j {
					totals[r][c], have[r][c] = js.total, true
				}
			}
		}
	}
	rankSum := make([]float64, n)
	var ties float64
	order := make([]int, n)
	for r := range totals {
		for c := range order {
			if !have[r][c] {
				return 0, models.Errorf(models.KindInvalid, "judge %q did not score project %q", judges[r], projects[c])
			}
			order[c] = c
		}
		t := totals[r]
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(t[a], t[b]) })
		for i := 0; i < n; {
			j := i + 1
			for j < n && t[order[j]] == t[order[i]] {
				j++
			}
			rank := float64(i+1+j) / 2 // mean of ranks i+1 … j
			for _, c := range order[i:j] {
				rankSum[c] += rank
			}
			size := float64(j - i)
			ties += size*size*size - size
			i = j
		}
	}
	mean := float64(m) * float64(n+1) / 2
	var S float64
	for _, r := range rankSum {
		S += (r - mean) * (r - mean)
	}
	den := float64(m)*float64(m)*(float64(n)*float64(n)*float64(n)-float64(n)) - float64(m)*ties
	if den == 0 {
		return 0, models.Errorf(models.KindInvalid, "Kendall's W is undefined: every judge gave every project the same total")
	}
	return 12 * S / den, nil
}

func indexOf(ids []string) map[string]int {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}

// KendallComplete is Kendall's W over the sheet's complete block: the
// judges who scored and the projects every one of them scored (W needs a
// complete block). It returns nil when W is undefined there (fewer than
// two judges or projects, or no variance), and the block's project count.
func KendallComplete(s Sheet) (*float64, int) {
	byProject := map[string]map[string]bool{}
	judgeSet := map[string]bool{}
	for _, sc := range s.Scores {
		if byProject[sc.Project] == nil {
			byProject[sc.Project] = map[string]bool{}
		}
		byProject[sc.Project][sc.Judge] = true
		judgeSet[sc.Judge] = true
	}
	judges := make([]string, 0, len(judgeSet))
	for j := range judgeSet {
		judges = append(judges, j)
	}
	sort.Strings(judges)
	var common []string
	for p, js := range byProject {
		if len(js) == len(judges) {
			common = append(common, p)
		}
	}
	sort.Strings(common)
	w, err := KendallW(s, judges, common)
	if err != nil {
		return nil, len(common)
	}
	return &w, len(common)
}
