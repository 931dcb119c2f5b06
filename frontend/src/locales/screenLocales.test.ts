import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import { mergeMessages } from './merge'
import screenEn from './screen.en'
import screenZhCN from './screen.zh-CN'
import zhCN from './zh-CN'

describe('screen locales', () => {
  const zh = flatten(screenZhCN)

  test('only the screen.* and phone.* namespaces', () => {
    expect(Object.keys(screenZhCN).sort()).toEqual(['phone', 'screen'])
    expect(Object.keys(screenEn).sort()).toEqual(['phone', 'screen'])
  })

  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(screenZhCN, screenEn)
  })

  test('merging adds keys and never replaces a base message', () => {
    expectMergeAddsOnly(zhCN, screenZhCN, mergeMessages(zhCN, screenZhCN))
    expectMergeAddsOnly(en, screenEn, mergeMessages(en, screenEn))
  })

  test('every literal key the big screen and the phone page use exists', () => {
    const merged = flatten(mergeMessages(zhCN, screenZhCN))
    // Keys passed around as values (explained vote errors) are quoted strings in these namespaces.
    const keys = usedKeys(['views/display', 'views/vote'], ['api/liveBoard.ts'], ['screen', 'phone'])
    expect(keys.size).toBeGreaterThan(20)
    const missing = [...keys].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })

  test('keys built at run time exist: every phase, timer kind and podium place', () => {
    for (const phase of ['idle', 'presenting', 'qa', 'scoring', 'sealed', 'revealed', 'finished']) {
      expect(zh.has(`screen.phase.${phase}`), phase).toBe(true)
    }
    for (const kind of ['presentation', 'qa']) expect(zh.has(`screen.timer.${kind}`), kind).toBe(true)
    for (const place of [1, 2, 3]) expect(zh.has(`screen.podium.place${place}`)).toBe(true)
  })
})

describe('one language per locale on stage', () => {
  test('the Chinese stage text carries no English words (the badge once read "彩排 Rehearsal")', () => {
    for (const [key, text] of Object.entries(flatten(screenZhCN))) {
      // Placeholders ({n}) and Latin proper names are allowed; English words of three letters or more are not.
      const words = String(text).replace(/\{[^}]*\}/g, '').match(/[A-Za-z]{3,}/g) ?? []
      expect(words, key).toEqual([])
    }
  })
})
