// Figures for the judge-statistics dashboard, computed on the totals the server sends.

/** quantile is the linear-interpolation quantile (q in 0…1) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** boxOf returns ECharts' box-plot row [min, Q1, median, Q3, max] of values (sorted or not). */
export function boxOf(values: readonly number[]): [number, number, number, number, number] {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return [NaN, NaN, NaN, NaN, NaN]
  return [s[0]!, quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), s[s.length - 1]!]
}

/** agreementLevel buckets Kendall's W for the organiser: weak < 0.3 ≤ moderate < 0.7 ≤ strong. */
export function agreementLevel(w: number): 'weak' | 'moderate' | 'strong' {
  if (w < 0.3) return 'weak'
  if (w < 0.7) return 'moderate'
  return 'strong'
}
