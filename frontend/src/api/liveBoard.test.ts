import { describe, expect, test } from 'vitest'
import {
  addClockSample,
  applyFetchedBoard,
  applyLiveMessage,
  clockOffset,
  clockSample,
  currentProjectIds,
  emptyBoardModel,
  finalistIds,
  formatCountdown,
  timerRemainingMs,
  totalVotes,
  type BoardModel,
} from '@/api/liveBoard'
import { boardFixture } from '@/fixtures/boardFixture'

const T0 = Date.parse('2026-11-26T10:00:00.000Z')

function snapshotModel(offset = 5): BoardModel {
  return applyLiveMessage(emptyBoardModel(), { type: 'snapshot', epoch: 'e1', offset, state: boardFixture() }, T0).model
}

function event(offset: number, over: Parameters<typeof boardFixture>[0] = {}, epoch = 'e1') {
  return { type: 'event', epoch, offset, event: { kind: 'present', state: boardFixture(over) } }
}

describe('applyLiveMessage', () => {
  test('a snapshot replaces the board and sets the stream position', () => {
    const m = snapshotModel()
    expect(m.state?.phase).toBe('revealed')
    expect(m.epoch).toBe('e1')
    expect(m.offset).toBe(5)
    expect(m.clock).toHaveLength(1)
  })

  test('recovered keeps the board and moves the position', () => {
    const m = snapshotModel()
    const r = applyLiveMessage(m, { type: 'recovered', epoch: 'e1', offset: 5 }, T0 + 10)
    expect(r.model.state).toBe(m.state)
    expect(r.model.offset).toBe(5)
    expect(r.resync).toBe(false)
  })

  test('the next event replaces the board with its state', () => {
    const m = snapshotModel()
    const r = applyLiveMessage(m, event(6, { phase: 'presenting', slot: 2 }), T0 + 1000)
    expect(r.resync).toBe(false)
    expect(r.model.state?.phase).toBe('presenting')
    expect(r.model.state?.slot).toBe(2)
    expect(r.model.offset).toBe(6)
  })

  test('an event already applied is ignored; one after a gap asks for a resync', () => {
    const m = snapshotModel()
    const dup = applyLiveMessage(m, event(5, { phase: 'idle' }), T0)
    expect(dup.model).toBe(m)
    expect(dup.resync).toBe(false)
    const gap = applyLiveMessage(m, event(8, { phase: 'idle' }), T0)
    expect(gap.model).toBe(m)
    expect(gap.resync).toBe(true)
  })

  test('an event with nothing to build on, or from another epoch, asks for a resync', () => {
    expect(applyLiveMessage(emptyBoardModel(), event(1), T0).resync).toBe(true)
    expect(applyLiveMessage(snapshotModel(), event(6, {}, 'e2'), T0).resync).toBe(true)
  })

  test('a tally frame updates the tally and the voters, keeping the position', () => {
    const m = snapshotModel()
    const r = applyLiveMessage(m, { type: 'tally', tally: { '3': 60, '25': 40 }, voters: 100 }, T0)
    expect(r.model.state?.tally).toEqual({ '3': 60, '25': 40 })
    expect(r.model.voters).toBe(100)
    expect(r.model.offset).toBe(5)
    expect(r.model.state?.phase).toBe('revealed')
    // Before any board, the voters still count.
    const early = applyLiveMessage(emptyBoardModel(), { type: 'tally', tally: { '3': 1 }, voters: 1 }, T0)
    expect(early.model.state).toBeNull()
    expect(early.model.voters).toBe(1)
  })

  test("the screen's count is the current slot's: a new slot starts from its board, a late frame of the old slot is ignored", () => {
    const m = snapshotModel()
    const slot = m.state!.slot
    const counted = applyLiveMessage(m, { type: 'tally', tally: { '3': 3 }, voters: 3, slot, event_voters: 3 }, T0).model
    expect(counted.voters).toBe(3)
    // The next slot's first board says 0 voters; the old count must not carry over (#15 item 3).
    const next = applyLiveMessage(counted, event(6, { slot: slot + 1, voters: 0, event_voters: 3 }), T0).model
    expect(next.voters).toBe(0)
    const late = applyLiveMessage(next, { type: 'tally', tally: { '3': 3 }, voters: 3, slot, event_voters: 3 }, T0).model
    expect(late.voters).toBe(0)
    const fresh = applyLiveMessage(late, { type: 'tally', tally: { '3': 3, '7': 1 }, voters: 1, slot: slot + 1 }, T0).model
    expect(fresh.voters).toBe(1)
    // Within one slot, a board event keeps the newer tally frame's count.
    expect(applyLiveMessage(fresh, event(7, { slot: slot + 1, voters: 0 }), T0).model.voters).toBe(1)
  })

  test('unknown or malformed messages change nothing', () => {
    const m = snapshotModel()
    expect(applyLiveMessage(m, { type: 'hello' }, T0).model).toBe(m)
    expect(applyLiveMessage(m, { type: 'snapshot', epoch: 'e1', offset: 9, state: null }, T0).model).toBe(m)
    expect(applyLiveMessage(m, { type: 'event', epoch: 'e1', offset: 6, event: { kind: 'x' } }, T0).model).toBe(m)
  })

  test('the input model is not changed', () => {
    const m = snapshotModel()
    const copy = JSON.stringify(m)
    applyLiveMessage(m, event(6, { phase: 'qa' }), T0)
    applyLiveMessage(m, { type: 'tally', tally: {}, voters: 3 }, T0)
    expect(JSON.stringify(m)).toBe(copy)
  })
})

describe('applyFetchedBoard', () => {
  test('a fetched board applies unless the model already has a newer one', () => {
    const m = snapshotModel()
    const older = boardFixture({ phase: 'idle', server_time: '2026-11-26T09:59:00.000Z' })
    expect(applyFetchedBoard(m, older, T0)).toBe(m)
    const newer = boardFixture({ phase: 'scoring', server_time: '2026-11-26T10:00:05.000Z' })
    const n = applyFetchedBoard(m, newer, T0 + 5000)
    expect(n.state?.phase).toBe('scoring')
    expect(n.offset).toBe(5)
    expect(applyFetchedBoard(emptyBoardModel(), older, T0).state?.phase).toBe('idle')
  })
})

describe('clock correction and timers', () => {
  test('the offset is the largest recent sample', () => {
    // The server is 2 s ahead; deliveries took 40 ms and 300 ms; a replayed event is minutes old.
    let samples = addClockSample([], clockSample('2026-11-26T10:00:01.960Z', T0))
    samples = addClockSample(samples, clockSample('2026-11-26T10:00:11.700Z', T0 + 10000))
    samples = addClockSample(samples, clockSample('2026-11-26T09:55:00.000Z', T0 + 11000))
    expect(clockOffset(samples)).toBe(1960)
    expect(clockOffset([])).toBe(0)
    expect(clockSample('nonsense', T0)).toBeNull()
  })

  test('old samples fall out of the window', () => {
    let samples = addClockSample([], { at: T0, offset: 5000 })
    samples = addClockSample(samples, { at: T0 + 6 * 60 * 1000, offset: 100 })
    expect(samples).toHaveLength(1)
    expect(clockOffset(samples)).toBe(100)
  })

  test('a running timer counts down from started_at + duration in server time', () => {
    const timer = { started_at: '2026-11-26T10:00:00.000Z', duration_ms: 300000, remaining_ms: null }
    expect(timerRemainingMs(timer, T0)).toBe(300000)
    expect(timerRemainingMs(timer, T0 + 61500)).toBe(238500)
    expect(timerRemainingMs(timer, T0 + 400000)).toBe(0)
    // The local clock is 3 s behind the server: corrected, the reading is the same.
    const localNow = T0 + 61500 - 3000
    expect(timerRemainingMs(timer, localNow + 3000)).toBe(238500)
  })

  test('a paused timer is frozen at remaining_ms', () => {
    const timer = { started_at: '2026-11-26T10:00:00.000Z', duration_ms: 300000, remaining_ms: 123456 }
    expect(timerRemainingMs(timer, T0 + 999999)).toBe(123456)
    expect(timerRemainingMs(null, T0)).toBeNull()
  })

  test('countdowns round up to whole seconds', () => {
    expect(formatCountdown(300000)).toBe('05:00')
    expect(formatCountdown(238500)).toBe('03:59')
    expect(formatCountdown(1)).toBe('00:01')
    expect(formatCountdown(0)).toBe('00:00')
    expect(formatCountdown(-5)).toBe('00:00')
    expect(formatCountdown(6000000)).toBe('100:00')
  })
})

describe('reading the board', () => {
  test('current projects, finalists in programme order, vote totals', () => {
    const s = boardFixture()
    expect(currentProjectIds(s)).toEqual([3, 25])
    expect(currentProjectIds(boardFixture({ slot: -1 }))).toEqual([])
    expect(finalistIds(s)).toEqual([12, 7, 3, 25, 9, 14, 21, 5, 30, 18])
    expect(totalVotes(s.tally)).toBe(162)
    expect(totalVotes(s.tally, [3, 25])).toBe(90)
    expect(totalVotes(undefined)).toBe(0)
  })
})
