import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import gapsZhCN from './gaps.zh-CN'
import { mergeMessages } from './merge'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import reviewEn from './review.en'
import reviewZhCN from './review.zh-CN'
import visitsZhCN from './visits.zh-CN'
import zhCN from './zh-CN'

// The folders whose messages live in review.*.ts.
const SOURCES = ['views/review', 'components/review', 'views/admin/rounds', 'views/results']

describe('review locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(reviewZhCN, reviewEn)
  })

  test('merging adds keys and never replaces a base or portal message', () => {
    for (const [base, portal, extra] of [
      [zhCN, portalZhCN, reviewZhCN],
      [en, portalEn, reviewEn],
    ] as const) {
      const before = mergeMessages(base, portal)
      const merged = mergeMessages(before, extra)
      expectMergeAddsOnly(before, extra, merged)
      expect(flatten(merged).get('review.title')).toBe(flatten(before).get('review.title'))
    }
  })

  test('every literal key the review and rounds screens use exists', () => {
    // The review gaps' dialogs live among the rounds' screens; their messages are gaps.* (gapsLocales.test.ts).
    // Site visits (views/review/SiteVisits.vue) and the rounds' site-visit switch use visits.*.ts.
    const merged = flatten(mergeMessages(mergeMessages(mergeMessages(mergeMessages(zhCN, portalZhCN), reviewZhCN), gapsZhCN), visitsZhCN))
    const missing = [...usedKeys(SOURCES, [], ['review', 'rounds', 'results'])].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
