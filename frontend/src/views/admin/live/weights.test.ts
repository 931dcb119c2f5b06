import { describe, expect, test } from 'vitest'
import type { LiveEventInput } from '@/api/liveEvents'
import { checkLiveEvent, weightSum } from './weights'

const input = (over: Partial<LiveEventInput> = {}): LiveEventInput => ({
  title: '终审PK赛',
  audience_mode: 'both',
  weights: { panel: 60, previous: 30, audience: 10 },
  presentation_secs: 300,
  qa_secs: 180,
  pairing: 'pk',
  judge_ids: [9, 10, 11],
  previous_round_id: 2,
  rehearsal: true,
  ...over,
})

describe('live event form checks', () => {
  test('a good form has no problems', () => {
    expect(checkLiveEvent(input(), 3, true)).toEqual({})
    expect(weightSum({ panel: 60, previous: 30, audience: 10 })).toBe(100)
  })
  test('weights must be whole percentages summing to 100', () => {
    expect(checkLiveEvent(input({ weights: { panel: 60, previous: 30, audience: 20 } }), 3, true).weights).toBeDefined()
    expect(checkLiveEvent(input({ weights: { panel: 60.5, previous: 29.5, audience: 10 } }), 3, true).weights).toBeDefined()
    expect(checkLiveEvent(input({ weights: { panel: 100, previous: 0, audience: 0 }, previous_round_id: null }), 3, true)).toEqual({})
  })
  test('the other fields', () => {
    const p = checkLiveEvent(input({ title: ' ', judge_ids: [], presentation_secs: 0, previous_round_id: null }), null, true)
    expect(Object.keys(p).sort()).toEqual(['judges', 'previous', 'round', 'timings', 'title'])
    expect(checkLiveEvent(input(), null, false).round).toBeUndefined()
  })
})
