import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import { mergeMessages } from './merge'
import reviewEn from './review.en'
import reviewZhCN from './review.zh-CN'
import visitsEn from './visits.en'
import visitsZhCN from './visits.zh-CN'
import zhCN from './zh-CN'

describe('site visit and figures locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(visitsZhCN, visitsEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [mergeMessages(zhCN, reviewZhCN), visitsZhCN],
      [mergeMessages(en, reviewEn), visitsEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
      expect(flatten(merged).get('visits.title')).toBe(flatten(extra).get('visits.title'))
    }
  })
})

// The files whose messages live in visits.*.ts (and the base they use).
const FILES = ['views/review/SiteVisits.vue', 'views/admin/FiguresView.vue']

describe('site visit and figures screens', () => {
  test('every literal key they use exists', () => {
    const merged = flatten(mergeMessages(mergeMessages(zhCN, reviewZhCN), visitsZhCN))
    const missing = [...usedKeys([], FILES, ['visits', 'figures', 'common', 'rounds'])].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
