import { describe, expect, test } from 'vitest'
import { agreementLevel, boxOf, quantile } from './boxplot'

describe('judge statistics figures', () => {
  test('quantiles interpolate between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75)
    expect(quantile([7], 0.75)).toBe(7)
    expect(Number.isNaN(quantile([], 0.5))).toBe(true)
  })
  test('a box is min, Q1, median, Q3, max of unsorted totals', () => {
    expect(boxOf([90, 70, 80, 60, 100])).toEqual([60, 70, 80, 90, 100])
    expect(boxOf([75.5])).toEqual([75.5, 75.5, 75.5, 75.5, 75.5])
  })
  test("Kendall's W is read as weak, moderate or strong agreement", () => {
    expect(agreementLevel(0.1)).toBe('weak')
    expect(agreementLevel(0.3)).toBe('moderate')
    expect(agreementLevel(0.69)).toBe('moderate')
    expect(agreementLevel(0.7)).toBe('strong')
  })
})
