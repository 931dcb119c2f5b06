import { describe, expect, test } from 'vitest'
import { addDays, defaultPlan, exportURL, fenToYuan, newTierCode, flagType, formatFen, progressPercent, releasedPercent, sharesOK, sharesTotal, splitFen, trackerQuery, yuanToFen } from './follow'

describe('yuan ↔ fen', () => {
  test('parses yuan strings to integer fen', () => {
    expect(yuanToFen('12,345.67')).toBe(1234567)
    expect(yuanToFen('12345.67')).toBe(1234567)
    expect(yuanToFen('¥50,000')).toBe(5000000)
    expect(yuanToFen(' 0.5 ')).toBe(50)
    expect(yuanToFen('0.05')).toBe(5)
    expect(yuanToFen('0')).toBe(0)
    expect(yuanToFen('007.10')).toBe(710)
    expect(yuanToFen('1.')).toBe(100)
    // 0.1 + 0.2 style float traps never happen: string arithmetic.
    expect(yuanToFen('0.29')).toBe(29)
    expect(yuanToFen('1,000,000.01')).toBe(100000001)
  })
  test('rejects three decimals, negatives and junk', () => {
    for (const bad of ['1.234', '-1', '-0.01', '', 'abc', '1e5', '12,34.5', '1,2345', '.5', '1.2.3', '99999999999999999999']) {
      expect(yuanToFen(bad), bad).toBeNull()
    }
  })
  test('writes fen as yuan with two decimals', () => {
    expect(fenToYuan(1234567)).toBe('12,345.67')
    expect(fenToYuan(5)).toBe('0.05')
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(100000000)).toBe('1,000,000.00')
    expect(formatFen(5000000)).toBe('¥50,000.00')
    for (const n of [0, 1, 99, 100, 123456789, 1234567]) expect(yuanToFen(fenToYuan(n))).toBe(n)
  })
})

describe('shares', () => {
  test('sum to exactly 100', () => {
    expect(sharesTotal([{ share: 50 }, { share: 30 }, { share: 20 }])).toBe(100)
    expect(sharesOK([{ share: 50 }, { share: 30 }, { share: 20 }])).toBe(true)
    expect(sharesOK([{ share: 50 }, { share: 30 }, { share: 19 }])).toBe(false)
    expect(sharesOK([{ share: 100.5 }, { share: -0.5 }])).toBe(false)
    expect(sharesOK([{ share: 0 }, { share: 100 }])).toBe(false)
    expect(sharesOK([])).toBe(false)
    expect(sharesTotal([{ share: 1.5 }])).toBeNaN()
  })
  test('split money without losing a fen', () => {
    expect(splitFen(1000001, [50, 30, 20])).toEqual([500000, 300000, 200001])
    expect(splitFen(5000000, [50, 30, 20]).reduce((a, b) => a + b)).toBe(5000000)
  })
  test('the 50/30/20 template', () => {
    const p = defaultPlan('2026-01-31', ['a', 'b', 'c'])
    expect(p.map((m) => m.share)).toEqual([50, 30, 20])
    expect(p.map((m) => m.gate)).toEqual(['signing', 'midterm', 'final'])
    expect(p[0].due_on).toBe('2026-03-02')
    expect(sharesOK(p)).toBe(true)
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })
})

describe('labels and percentages', () => {
  test('flags', () => {
    expect(flagType('late')).toBe('danger')
    expect(flagType('very_late')).toBe('danger')
    expect(flagType('due')).toBe('warning')
    expect(flagType('done')).toBe('success')
    expect(flagType('upcoming')).toBe('info')
  })
  test('percent', () => {
    expect(progressPercent({ done: 1, total: 3 })).toBe(33)
    expect(progressPercent({ done: 0, total: 0 })).toBe(0)
    expect(releasedPercent(2500000, 5000000)).toBe(50)
    expect(releasedPercent(1, 3)).toBe(33)
    expect(releasedPercent(0, 0)).toBe(0)
  })
  test('tracker query', () => {
    expect(trackerQuery({})).toBe('')
    expect(trackerQuery({ edition: 2, county: null, tier: 'top10' })).toBe('?edition=2&tier=top10')
  })
})

describe('award tiers and the export', () => {
  test('an added tier gets the first free code, whatever the others are called', () => {
    expect(newTierCode([])).toBe('tier-1')
    expect(newTierCode([{ code: 'top10', name_zh: '十大项目', name_en: 'Top Ten' }])).toBe('tier-1')
    expect(
      newTierCode([
        { code: 'tier-1', name_zh: '甲', name_en: 'A' },
        { code: 'tier-3', name_zh: '丙', name_en: 'C' },
      ]),
    ).toBe('tier-2')
  })
  test('the implementation status export is the edition’s spreadsheet', () => {
    expect(exportURL(7)).toBe('/api/v1/editions/7/awards/export?format=xlsx')
    expect(exportURL(7, 'csv')).toBe('/api/v1/editions/7/awards/export?format=csv')
  })
})
