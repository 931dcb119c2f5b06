import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import gapsEn from './gaps.en'
import gapsZhCN from './gaps.zh-CN'
import { mergeMessages } from './merge'
import zhCN from './zh-CN'

describe('review gaps locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(gapsZhCN, gapsEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [zhCN, gapsZhCN],
      [en, gapsEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
    }
  })

  test('every literal gaps key the screens use exists', () => {
    const merged = flatten(mergeMessages(zhCN, gapsZhCN))
    const missing = [...usedKeys(['views/admin/rounds', 'views/admin/editions', 'views/results'], [], ['gaps'])].filter((k) => k.startsWith('gaps.') && !merged.has(k))
    expect(missing).toEqual([])
  })

  test('the audit words of the new actions, in both languages', () => {
    for (const tree of [zhCN, en]) {
      const keys = flatten(tree)
      for (const k of ['conflict_declare', 'conflict_remove', 'round_reassign', 'edition_calendar']) expect(keys.has(`audit.actions.${k}`), k).toBe(true)
    }
  })
})
