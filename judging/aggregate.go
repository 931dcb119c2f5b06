package judging

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"slices"

	"leitai/models"
)

// MinZScoreScores is the fewest scores a judge must have given in a sheet
// for zscore to standardise them; a judge with fewer keeps raw totals.
const MinZScoreScores = 5

// Aggregate returns the exact aggregate of one project's judge totals under
// method, in points, and the method actually applied: trimmed_mean falls
// back to "mean" below 2·trim+3 totals. zscore needs every judge's scores in
// the round, so it is computed by Rank only; here it is refused. No totals
// aggregate to 0. totals is not modified.
func Aggregate(method Method, trim int, totals []Points) (*big.Rat, Method, error) {
	if method == MethodZScore || !method.Valid() {
		return nil, "", models.Errorf(models.KindInvalid, "Aggregate supports mean, median and trimmed_mean, not %q", string(method))
	}
	if trim < 0 {
		return nil, "", models.Errorf(models.KindInvalid, "trim %d is negative", trim)
	}
	r, applied := aggregate(method, trim, slices.Clone(totals))
	return r, applied, nil
}

// aggregate is Aggregate on a slice it may reorder. For zscore it returns
// the plain mean (the key-criterion tie-break's rule).
func aggregate(method Method, trim int, v []Points) (*big.Rat, Method) {
	n := len(v)
	switch method {
	case MethodMedian:
		if n == 0 {
			return new(big.Rat), MethodMedian
		}
		slices.Sort(v)
		if n%2 == 1 {
			return big.NewRat(int64(v[n/2]), Scale), MethodMedian
		}
		return big.NewRat(int64(v[n/2-1])+int64(v[n/2]), 2*Scale), MethodMedian
	case MethodTrimmedMean:
		if n >= 3 && trim <= (n-3)/2 { // n ≥ 2·trim+3, without overflow
			slices.Sort(v)
			return exactMean(v[trim : n-trim]), MethodTrimmedMean
		}
	}
	return exactMean(v), MethodMean
}

func exactMean(v []Points) *big.Rat {
	if len(v) == 0 {
		return new(big.Rat)
	}
	var sum int64
	for _, x := range v {
		sum += int64(x)
	}
	return big.NewRat(sum, int64(len(v))*Scale)
}

// Struck returns the positions in totals of the scores trimmed_mean drops
// (the trim lowest and the trim highest), in increasing position order, or
// nil when fewer than 2·trim+3 totals are given. It is what the live board
// strikes through on reveal. Among equal totals the earliest position counts
// as the lower and the latest as the higher, so the choice is deterministic;
// the aggregate does not depend on it.
func Struck(totals []Points, trim int) []int {
	n := len(totals)
	if trim <= 0 || n < 3 || trim > (n-3)/2 {
		return nil
	}
	pos := make([]int, n)
	for i := range pos {
		pos[i] = i
	}
	slices.SortFunc(pos, func(a, b int) int {
		if c := cmp.Compare(totals[a], totals[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	out := append(slices.Clone(pos[:trim]), pos[n-trim:]...)
	slices.Sort(out)
	return out
}

// zscorePanels computes every project's zscore panel score: per judge
// z = (x − μ_j)/σ_j with the population σ of that judge's totals in the
// sheet, rescaled to μ + σ·z with μ and σ over all totals in the sheet; a
// judge with fewer than MinZScoreScores scores, or whose totals are all
// equal (σ_j = 0, detected exactly), keeps raw totals; a project's score is
// the mean of its values. Sums run in project then judge order, so the
// floats do not depend on the input order.
func zscorePanels(p *prepared) []float64 {
	p.sortByJudge()
	nj := len(p.judges)
	count := make([]int, nj)
	sum := make([]int64, nj)
	lo := make([]Points, nj)
	hi := make([]Points, nj)
	var allSum int64
	var allN int
	for _, group := range p.byProject {
		for _, js := range group {
			j := js.judge
			if count[j] == 0 || js.total < lo[j] {
				lo[j] = js.total
			}
			if count[j] == 0 || js.total > hi[j] {
				hi[j] = js.total
			}
			count[j]++
			sum[j] += int64(js.total)
			allSum += int64(js.total)
			allN++
		}
	}
	panels := make([]float64, len(p.projects))
	if allN == 0 {
		return panels
	}
	mu := make([]float64, nj)
	for j := range mu {
		if count[j] > 0 {
			mu[j] = float64(sum[j]) / float64(count[j]) / Scale
		}
	}
	allMu := float64(allSum) / float64(allN) / Scale
	sq := make([]float64, nj)
	var allSq float64
	for _, group := range p.byProject {
		for _, js := range group {
			x := js.total.Float64()
			d := x - mu[js.judge]
			sq[js.judge] += d * d
			d = x - allMu
			allSq += d * d
		}
	}
	allSigma := math.Sqrt(allSq / float64(allN))
	sigma := make([]float64, nj)
	standardise := make([]bool, nj)
	for j := range sigma {
		if count[j] >= MinZScoreScores && lo[j] != hi[j] {
			sigma[j] = math.Sqrt(sq[j] / float64(count[j]))
			standardise[j] = sigma[j] > 0
		}
	}
	for pi, group := range p.byProject {
		if len(group) == 0 {
			continue
		}
		var s float64
		for _, js := range group {
			x := js.total.Float64()
			if standardise[js.judge] {
				x = allMu + allSigma*(x-mu[js.judge])/sigma[js.judge]
			}
			s += x
		}
		panels[pi] = s / float64(len(group))
	}
	return panels
}

// compositeInt64 is composite in int64 arithmetic, which fits for any
// realistic sheet; ok is false on overflow. With the panel score N/D points,
// weights W in hundredths and previous and audience in hundredths:
//
//	composite = Wp·N/(D·M) + (Wprev·prev + Waud·aud)/10⁶   with criteria (M = Σmax in hundredths)
//	composite = Wp·N/(D·10⁴) + (Wprev·prev + Waud·aud)/10⁶   without
func compositeInt64(w *Weights, panel *big.Rat, maxSum Points, prev, aud Points) (Score, bool) {
	if !panel.Num().IsInt64() || !panel.Denom().IsInt64() {
		return Score{}, false
	}
	n, d := panel.Num().Int64(), panel.Denom().Int64()
	m := int64(maxSum)
	if m == 0 {
		m = 100 * Scale
	}
	var ok bool
	var dm, a, b, num, den int64
	if dm, ok = mulInt64(d, m); !ok {
		return Score{}, false
	}
	if a, ok = mulInt64(int64(w.Panel), n); !ok {
		return Score{}, false
	}
	if a, ok = mulInt64(a, 1_000_000); !ok {
		return Score{}, false
	}
	rest := int64(w.Previous)*int64(prev) + int64(w.Audience)*int64(aud) // ≤ 2·10⁴·10⁸
	if b, ok = mulInt64(rest, dm); !ok {
		return Score{}, false
	}
	if num = a + b; num < a {
		return Score{}, false
	}
	if den, ok = mulInt64(dm, 1_000_000); !ok {
		return Score{}, false
	}
	return ExactScore(big.NewRat(num, den)), true
}

// mulInt64 multiplies non-negative a and b, reporting overflow.
func mulInt64(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// composite is Σ weight × component / 100 over the panel score (rescaled
// to 0–100 by maxSum when the sheet has criteria), previous and audience.
// It is exact when the panel score is.
func composite(w *Weights, panel Score, maxSum Points, prev, aud Points) Score {
	if panel.IsExact() {
		if s, ok := compositeInt64(w, panel.rat(), maxSum, prev, aud); ok {
			return s
		}
		pr := panel.Rat()
		if maxSum > 0 {
			pr.Mul(pr, big.NewRat(100*Scale, int64(maxSum)))
		}
		total := pr.Mul(pr, big.NewRat(int64(w.Panel), Scale))
		total.Add(total, new(big.Rat).Mul(prev.Rat(), big.NewRat(int64(w.Previous), Scale)))
		total.Add(total, new(big.Rat).Mul(aud.Rat(), big.NewRat(int64(w.Audience), Scale)))
		return ExactScore(total.Quo(total, big.NewRat(100, 1)))
	}
	pf := panel.Float64()
	if maxSum > 0 {
		pf = pf * 100 / maxSum.Float64()
	}
	return FloatScore((w.Panel.Float64()*pf + w.Previous.Float64()*prev.Float64() + w.Audience.Float64()*aud.Float64()) / 100)
}
