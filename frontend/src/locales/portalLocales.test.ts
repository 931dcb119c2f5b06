import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten } from './checks'
import en from './en'
import { mergeMessages } from './merge'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import zhCN from './zh-CN'

describe('portal locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(portalZhCN, portalEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [zhCN, portalZhCN],
      [en, portalEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
      expect(flatten(merged).get('portal.title')).toBe(flatten(base).get('portal.title'))
    }
  })
})
