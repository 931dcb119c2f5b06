import { describe, expect, test } from 'vitest'
import { ApiError } from '@/api/client'
import { boardFixture } from '@/fixtures/boardFixture'
import {
  explainVoteError,
  hasTally,
  showsAudienceTally,
  normaliseTicket,
  parseMemory,
  tallyShare,
  usesTicket,
  voteKey,
  voteView,
} from './voteState'

const open = () => boardFixture({ phase: 'presenting', voting_open: true, slot: 1 })

describe('what the page shows', () => {
  test('by phase, mode and the vote remembered', () => {
    expect(voteView(null, null)).toBe('loading')
    expect(voteView(boardFixture({ audience_mode: 'none' }), null)).toBe('none')
    expect(voteView(boardFixture({ phase: 'idle', slot: -1 }), null)).toBe('waiting')
    expect(voteView(open(), null)).toBe('open')
    expect(voteView(open(), 3)).toBe('voted')
    expect(voteView(boardFixture({ phase: 'presenting', voting_open: false }), null)).toBe('notOpen')
    expect(voteView(boardFixture({ phase: 'sealed', voting_open: false }), null)).toBe('closed')
    expect(voteView(boardFixture({ phase: 'sealed', voting_open: false }), 3)).toBe('voted')
    expect(voteView(boardFixture({ phase: 'finished' }), 3)).toBe('finished')
  })

  test('tickets: always in tickets mode, when typed in both', () => {
    expect(usesTicket('tickets', '')).toBe(true)
    expect(usesTicket('both', '  ')).toBe(false)
    expect(usesTicket('both', 'k7qx')).toBe(true)
    expect(usesTicket('open', 'k7qx')).toBe(false)
    expect(normaliseTicket(' k7qx-2m9p ')).toBe('K7QX-2M9P')
  })
})

describe('memory', () => {
  test('a vote is remembered per slot, programme and credential', () => {
    const s = open()
    expect(voteKey(s, '')).toBe('1:3,25|d')
    expect(voteKey(s, 'k7qx-2m9p')).toBe('1:3,25|t:K7QX-2M9P')
    expect(voteKey(boardFixture({ slot: 2 }), '')).toBe('2:9,14|d')
    expect(voteKey(boardFixture({ slot: -1 }), '')).toBeNull()
    expect(voteKey(null, '')).toBeNull()
  })

  test('stored memory is read defensively', () => {
    expect(parseMemory(null)).toEqual({ deviceToken: null, ticket: '', votes: {} })
    expect(parseMemory('{oops')).toEqual({ deviceToken: null, ticket: '', votes: {} })
    expect(parseMemory('"x"')).toEqual({ deviceToken: null, ticket: '', votes: {} })
    expect(parseMemory(JSON.stringify({ deviceToken: 'abc', ticket: 'K7', votes: { a: 3, b: 'x' } }))).toEqual({
      deviceToken: 'abc',
      ticket: 'K7',
      votes: { a: 3 },
    })
  })
})

describe('refused votes in plain words', () => {
  const err = (status: number, code: ApiError['code'], extra: Partial<ConstructorParameters<typeof ApiError>[0]> = {}) =>
    new ApiError({ status, code, message: '', ...extra })

  test('409 is "already voted" while voting is open, "closed" otherwise', () => {
    expect(explainVoteError(err(409, 'conflict'), open())).toEqual({ key: 'phone.errors.already', voted: true })
    expect(explainVoteError(err(409, 'conflict'), boardFixture({ voting_open: false }))).toEqual({
      key: 'phone.errors.closed',
      closed: true,
    })
    expect(explainVoteError(err(409, 'conflict', { message: 'voting is closed' }), open()).closed).toBe(true)
  })

  test('422 on the ticket, 429 with and without Retry-After, network', () => {
    expect(explainVoteError(err(422, 'invalid', { fields: { ticket: 'unknown' } }), open())).toEqual({
      key: 'phone.errors.ticket',
      ticket: true,
    })
    expect(explainVoteError(err(422, 'invalid', { fields: { project_id: 'x' } }), open()).key).toBe('phone.errors.failed')
    expect(explainVoteError(err(429, 'rate_limited', { retryAfter: 7 }), open())).toEqual({
      key: 'phone.errors.rateWait',
      params: { seconds: 7 },
    })
    expect(explainVoteError(err(429, 'rate_limited'), open()).key).toBe('phone.errors.rate')
    expect(explainVoteError(err(0, 'network'), open()).key).toBe('phone.errors.network')
    expect(explainVoteError(err(500, 'internal'), open()).key).toBe('phone.errors.failed')
  })
})

describe('tally', () => {
  test('shares of the slot’s votes', () => {
    const t = { '3': 52, '25': 38, '12': 99 }
    expect(tallyShare(t, 3, [3, 25])).toBe(58)
    expect(tallyShare(t, 25, [3, 25])).toBe(42)
    expect(tallyShare({}, 3, [3, 25])).toBe(0)
    expect(hasTally(t, [3, 25])).toBe(true)
    expect(hasTally({ '12': 1 }, [3, 25])).toBe(false)
    expect(hasTally(undefined, [3])).toBe(false)
  })
})

describe('the audience sees tallies only after voting', () => {
  test('hides them while voting is open and shows them once it closed', () => {
    const tally = { '3': 5, '25': 2 }
    expect(showsAudienceTally({ voting_open: true, tally }, [3, 25])).toBe(false)
    expect(showsAudienceTally({ voting_open: false, tally }, [3, 25])).toBe(true)
    expect(showsAudienceTally({ voting_open: false, tally: {} }, [3, 25])).toBe(false)
    expect(showsAudienceTally(null, [3])).toBe(false)
  })
})
