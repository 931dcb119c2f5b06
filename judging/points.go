package judging

import (
	"cmp"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"leitai/models"
)

// Points is a number of points in exact integer hundredths: 2250 is 22.5
// points. Every score, criterion maximum, weight, previous-round score and
// audience score is held this way, so sums never drift (TRAPS.md, "Scores
// and text"): rubric steps are 0.5 or 0.1, both exact in hundredths.
type Points int64

// Scale is the number of Points in one point.
const Scale = 100

// MaxPoints bounds the absolute value of every number ParsePoints accepts
// (1,000,000 points) and of the sum of a sheet's criterion maxima, so that
// no sum over a sheet can overflow int64.
const MaxPoints Points = 1_000_000 * Scale

// ParsePoints parses a number in JSON number syntax (e.g. "22.5", "18",
// "-0.25", "2.25e1") exactly, without going through float64. The value must
// be a whole number of hundredths: "22.555" is refused, "22.500" is 22.5.
// Its absolute value must not exceed MaxPoints. Errors are models.KindInvalid
// and name the problem.
func ParsePoints(s string) (Points, error) {
	bad := func(problem string) error { return models.Errorf(models.KindInvalid, "%s %s", quoteNumber(s), problem) }
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[start:i]
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
		return 0, bad("is not a number")
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[start:i]
		if frac == "" {
			return 0, bad("is not a number")
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		start = i
		for i < len(s) && isDigit(s[i]) {
			if exp < 100_000 { // beyond this every non-zero value is out of range anyway
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			return 0, bad("is not a number")
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, bad("is not a number")
	}
	// value = digits × 10^(−scale)
	digits := intPart + frac
	scale := len(frac) - exp
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale--
	}
	if digits == "" {
		return 0, nil
	}
	shift := 2 - scale // hundredths = digits × 10^shift
	if shift < 0 {
		return 0, bad("has more than 2 decimals")
	}
	if len(digits)+shift > 12 { // > 10^11 hundredths, far above MaxPoints
		return 0, bad(rangeProblem(neg))
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, bad(rangeProblem(neg))
	}
	for ; shift > 0; shift-- {
		v *= 10
	}
	if v > int64(MaxPoints) {
		return 0, bad(rangeProblem(neg))
	}
	if neg {
		v = -v
	}
	return Points(v), nil
}

func rangeProblem(neg bool) string {
	if neg {
		return "is below the smallest accepted value -1000000"
	}
	return "is above the largest accepted value 1000000"
}

// quoteNumber shows a number literal in an error message: as is when it is
// short and plain, quoted otherwise, so that a message stays one line.
func quoteNumber(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "…"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// String formats p with exactly two decimals, the display form: 2250 →
// "22.50", -5 → "-0.05".
func (p Points) String() string {
	u := uint64(p)
	sign := ""
	if p < 0 {
		sign = "-"
		u = uint64(-p) // MinInt64 stays itself as uint64, which is its magnitude
	}
	frac := u % Scale
	return sign + strconv.FormatUint(u/Scale, 10) + "." + string([]byte{byte('0' + frac/10), byte('0' + frac%10)})
}

// Text formats p in the shortest exact decimal form, as a score sheet
// writes numbers: 2250 → "22.5", 1800 → "18", 5 → "0.05".
func (p Points) Text() string {
	s := p.String()
	if s[len(s)-1] == '0' {
		s = s[:len(s)-1]
		if s[len(s)-1] == '0' {
			s = s[:len(s)-2]
		}
	}
	return s
}

// MarshalJSON writes p as a JSON number in its shortest exact form.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.Text()), nil }

// UnmarshalJSON reads a JSON number exactly with ParsePoints; strings and
// null are refused.
func (p *Points) UnmarshalJSON(b []byte) error {
	v, err := ParsePoints(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Float64 returns p as a float64 number of points (the nearest one).
func (p Points) Float64() float64 { return float64(p) / Scale }

// Rat returns p as an exact number of points.
func (p Points) Rat() *big.Rat { return big.NewRat(int64(p), Scale) }

// RoundHalfUp rounds an exact number of points to hundredths, halves away
// from zero (四舍五入): 1.005 → 1.01, 2.675 → 2.68, -1.005 → -1.01. This is
// the display rule; it is applied to the exact value, never to a float64
// (where 1.005 is stored as 1.00499999999999989… and would round to 1.00).
// Values beyond the int64 range are clamped.
func RoundHalfUp(r *big.Rat) Points {
	num := new(big.Int).Abs(r.Num())
	den := r.Denom()
	// floor((|num|·200 + den) / (2·den)) = floor(|x|·100 + 1/2)
	q := new(big.Int).Mul(num, big.NewInt(2*Scale))
	q.Add(q, den)
	q.Quo(q, new(big.Int).Lsh(den, 1))
	if !q.IsInt64() {
		if r.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	v := q.Int64()
	if r.Sign() < 0 {
		v = -v
	}
	return Points(v)
}

// AudiencePoints is the audience component of a composite:
//
//	100 × votes ÷ max(mostVotes, floor)
//
// rounded half-up to hundredths so that the published score sheet carries
// it exactly. mostVotes is the most (counted) votes any finalist received;
// floor is the event's minimum turnout. Relative to the best-voted finalist
// alone, one vote in the whole event gave its finalist all 100 points and
// the others 0, enough to reverse a clear panel lead; with the floor a
// small turnout earns points in proportion to its size (one vote of a
// floor of 50 is 2 points), and a full turnout (mostVotes ≥ floor) is
// scored as before. It is 0 when nobody voted.
func AudiencePoints(votes, mostVotes, floor int64) Points {
	if votes <= 0 {
		return 0
	}
	d := max(mostVotes, floor, votes)
	return RoundHalfUp(big.NewRat(100*votes, d))
}

// Score is a ranking value: exact (a rational number of points) for the
// mean, median and trimmed_mean methods and composites built from them, or
// a float64 for zscore. Its zero value is an exact 0. Two exact scores are
// equal exactly when their values are, whatever the order of the sums that
// produced them.
type Score struct {
	r      *big.Rat // exact value when !approx; nil means 0
	f      float64  // value when approx
	approx bool
}

// ExactScore returns an exact score with the value r (which it keeps).
func ExactScore(r *big.Rat) Score { return Score{r: r} }

// FloatScore returns an inexact (float64) score.
func FloatScore(f float64) Score { return Score{f: f, approx: true} }

// IsExact reports whether s is an exact rational.
func (s Score) IsExact() bool { return !s.approx }

// Rat returns the value of s as a rational: the exact value of an exact
// score; for a float score, the shortest decimal that reads back as the same
// float64 (what the ranking JSON shows), 0 for NaN or infinities.
func (s Score) Rat() *big.Rat {
	if s.approx {
		if math.IsInf(s.f, 0) || math.IsNaN(s.f) {
			return new(big.Rat)
		}
		// The shortest form is what a reader of the JSON sees, so display
		// rounding agrees with it.
		r, _ := new(big.Rat).SetString(strconv.FormatFloat(s.f, 'g', -1, 64))
		return r
	}
	if s.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(s.r)
}

// Float64 returns the nearest float64 to s: the unrounded `score` of the
// ranking JSON.
func (s Score) Float64() float64 {
	if s.approx {
		return s.f
	}
	if s.r == nil {
		return 0
	}
	f, _ := s.r.Float64()
	return f
}

// Cmp compares s and t: -1, 0 or +1. Exact scores compare exactly; an
// exact and an inexact score compare by the float's exact binary value.
func (s Score) Cmp(t Score) int {
	if s.approx && t.approx {
		switch {
		case s.f < t.f:
			return -1
		case s.f > t.f:
			return 1
		}
		return 0
	}
	return cmpRat(s.rat(), t.rat())
}

// cmpRat compares two rationals without allocating when their parts fit in
// int64 (always so for mean, median and trimmed_mean), else with big.Rat.
func cmpRat(a, b *big.Rat) int {
	an, ad, bn, bd := a.Num(), a.Denom(), b.Num(), b.Denom()
	if !an.IsInt64() || !ad.IsInt64() || !bn.IsInt64() || !bd.IsInt64() {
		return a.Cmp(b)
	}
	x, y := an.Int64(), bn.Int64()
	switch {
	case x < 0 && y >= 0:
		return -1
	case x >= 0 && y < 0:
		return 1
	case x < 0: // both negative: compare magnitudes the other way round
		return cmpProducts(uint64(-y), uint64(ad.Int64()), uint64(-x), uint64(bd.Int64()))
	}
	return cmpProducts(uint64(x), uint64(bd.Int64()), uint64(y), uint64(ad.Int64()))
}

// cmpProducts compares a·b with c·d exactly (128-bit products).
func cmpProducts(a, b, c, d uint64) int {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	switch {
	case h1 != h2:
		return cmp.Compare(h1, h2)
	}
	return cmp.Compare(l1, l2)
}

func (s Score) rat() *big.Rat {
	if s.approx {
		r := new(big.Rat)
		if !math.IsInf(s.f, 0) && !math.IsNaN(s.f) {
			r.SetFloat64(s.f)
		}
		return r
	}
	if s.r == nil {
		return new(big.Rat)
	}
	return s.r
}

// Rounded returns s rounded half-up to hundredths for display (RoundHalfUp
// on the exact value).
func (s Score) Rounded() Points { return RoundHalfUp(s.Rat()) }

// String returns the display form of s: two decimals, rounded half-up.
func (s Score) String() string { return s.Rounded().String() }
