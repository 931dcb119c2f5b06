package livebench

import (
	"math"
	"slices"
	"time"
)

// Summary is the distribution of one set of latencies, in milliseconds.
type Summary struct {
	Samples int     `json:"samples"`
	P50MS   float64 `json:"p50_ms"`
	P99MS   float64 `json:"p99_ms"`
	MaxMS   float64 `json:"max_ms"`
	// Missing counts expected arrivals that never came (a viewer that did
	// not receive an event); they are not in the percentiles.
	Missing int `json:"missing,omitempty"`
}

// percentile is the nearest-rank percentile (p in 0…100) of sorted values:
// the smallest value with at least p% of the values at or below it.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// summarise sorts ms in place and summarises it.
func summarise(ms []float64, missing int) Summary {
	slices.Sort(ms)
	s := Summary{Samples: len(ms), Missing: missing}
	if len(ms) > 0 {
		s.P50MS = round2(percentile(ms, 50))
		s.P99MS = round2(percentile(ms, 99))
		s.MaxMS = round2(ms[len(ms)-1])
	}
	return s
}

// median of xs (the mean of the middle two for an even count); xs is not
// changed.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// ratio is a ÷ b rounded, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round2(a / b)
}

// maxInWindow is the largest number of the ascending times that fall in
// any window of length w (e.g. the highest broadcast rate per second).
func maxInWindow(times []time.Time, w time.Duration) int {
	best, lo := 0, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// minGap is the smallest interval between consecutive ascending times (0
// for fewer than two).
func minGap(times []time.Time) time.Duration {
	var gap time.Duration
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); i == 1 || d < gap {
			gap = d
		}
	}
	return gap
}
