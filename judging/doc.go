// Package judging holds Leitai's pure evaluation algorithms: aggregation of
// expert scores (mean, median, trimmed_mean, zscore), ranking with the
// published tie chain, final composites, advancement, balanced assignment,
// judge statistics and verifiable lot drawing. It imports models only, so
// that `leitai rank` and the server compute rankings with the same code.
package judging
