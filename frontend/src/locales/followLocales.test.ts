import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import followEn from './follow.en'
import followZhCN from './follow.zh-CN'
import { mergeMessages } from './merge'
import zhCN from './zh-CN'

describe('follow-through locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(followZhCN, followEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [zhCN, followZhCN],
      [en, followEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
      expect(flatten(merged).get('tracker.title')).toBe(flatten(base).get('tracker.title'))
      expect(flatten(merged).get('follow.nav')).toBe(flatten(extra).get('follow.nav'))
    }
  })
})

// The folders and files whose messages live in follow.*.ts.
const SOURCES = ['views/follow', 'views/admin/follow', 'views/tracker']

describe('follow-through screens', () => {
  test('every literal key the follow-through screens use exists', () => {
    const merged = flatten(mergeMessages(zhCN, followZhCN))
    const missing = [...usedKeys(SOURCES, [], ['follow'])].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
