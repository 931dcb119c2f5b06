import { describe, expect, test } from 'vitest'
import { flatten, usedKeys } from '@/locales/checks'
import { votePageEvent } from './path'
import { voteMessages } from './voteMessages'

describe('votePageEvent', () => {
  test('the phone page paths the router sends to VotePage', () => {
    expect(votePageEvent('/vote/1')).toBe('1')
    expect(votePageEvent('/vote/42/')).toBe('42')
    expect(votePageEvent('/vote/%E6%B4%BB%E5%8A%A8')).toBe('活动')
  })

  test('every other page takes the whole app', () => {
    for (const p of ['/', '/vote', '/vote/', '/vote/1/extra', '/display/1', '/portal', '/admin/vote/1', '/votes/1', '/vote/%E0%A4%A']) {
      expect(votePageEvent(p), p).toBeNull()
    }
  })
})

describe('the light vote entry has every message the phone page shows', () => {
  // The phone page and the parts it imports; keys kept in strings (explained vote errors) count too.
  const keys = usedKeys(['views/vote'], ['api/liveBoard.ts', 'api/live.ts', 'components/LanguageSwitch.vue', 'entries/vote.ts'], ['screen', 'phone'])
  // The API client's error texts, built at run time from the error code.
  for (const code of ['invalid', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'too_large', 'unsupported_media', 'rate_limited', 'rate_limitedWait', 'unavailable', 'internal', 'network', 'unknown']) {
    keys.add(`errors.${code}`)
  }
  for (const phase of ['idle', 'presenting', 'qa', 'scoring', 'sealed', 'revealed', 'finished']) keys.add(`screen.phase.${phase}`)

  for (const locale of ['zh-CN', 'en'] as const) {
    test(locale, () => {
      const have = flatten(voteMessages[locale])
      expect(keys.size).toBeGreaterThan(30)
      expect([...keys].filter((k) => !have.has(k))).toEqual([])
    })
  }
})
