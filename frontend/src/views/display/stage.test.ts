import { describe, expect, test } from 'vitest'
import { boardFixture } from '@/fixtures/boardFixture'
import {
  slotVotes,
  countUp,
  initials,
  judgeChips,
  movementOf,
  podiumPlaces,
  revealAt,
  REVEAL_MAX_MS,
  revealElapsed,
  revealTimeline,
  rowsBeforeReveal,
  scoringDots,
  stageMode,
  timerKind,
  timerTone,
  topRows,
  twoDecimals,
} from './stage'

describe('stage', () => {
  test('the layout follows the phase', () => {
    expect(stageMode(boardFixture({ phase: 'idle', slot: -1 }))).toBe('idle')
    expect(stageMode(boardFixture({ phase: 'presenting' }))).toBe('slot')
    expect(stageMode(boardFixture({ phase: 'revealed' }))).toBe('slot')
    expect(stageMode(boardFixture({ phase: 'finished' }))).toBe('finished')
    expect(timerKind('presenting')).toBe('presentation')
    expect(timerKind('qa')).toBe('qa')
    expect(timerKind('scoring')).toBeNull()
    expect(timerTone(120000)).toBe('normal')
    expect(timerTone(60000)).toBe('warn')
    expect(timerTone(0)).toBe('over')
  })

  test('scoring dots fill in per submitted score', () => {
    expect(scoringDots(5, 7)).toEqual([true, true, true, true, true, false, false])
    expect(scoringDots(undefined, 3)).toEqual([false, false, false])
    expect(scoringDots(9, 2)).toEqual([true, true])
  })

  test('judge chips are in seat order and keep the server’s struck marks', () => {
    const chips = judgeChips([
      { seat: 3, total: '80', struck: 'low' },
      { seat: 1, total: '88.5', struck: null },
      { seat: 2, total: '91', struck: 'high' },
    ])
    expect(chips.map((c) => c.seat)).toEqual([1, 2, 3])
    expect(chips.map((c) => c.struck)).toEqual([null, 'high', 'low'])
  })
})

describe('the reveal', () => {
  test('a PK pair reveals side by side, the winner last, all within about 5 s', () => {
    const tl = revealTimeline([7, 7])
    const [a, b] = tl.projects
    expect(a!.judgeAt).toHaveLength(7)
    expect(a!.strikeAt).toBeGreaterThan(a!.judgeAt[6]!)
    expect(a!.panelFrom).toBeGreaterThan(a!.strikeAt)
    expect(a!.compositeAt).toBeGreaterThan(a!.panelUntil)
    // Side by side: the second card does not wait for the first.
    expect(b!.judgeAt[0]).toBe(a!.judgeAt[0])
    expect(tl.winnerAt).toBeGreaterThan(b!.compositeAt)
    expect(tl.end).toBeGreaterThanOrEqual(tl.winnerAt)
    // The whole reveal, with up to 9 judges (or more, on two rows), is over within REVEAL_MAX_MS.
    for (const n of [1, 3, 5, 7, 9, 12]) expect(revealTimeline([n, n]).end).toBeLessThanOrEqual(REVEAL_MAX_MS)
    expect(REVEAL_MAX_MS).toBeLessThanOrEqual(5000)
  })

  test('the stage comes from the server’s revealed_at, the same on every screen', () => {
    const tl = revealTimeline([5, 5])
    const at = '2026-12-20T06:00:00.000Z'
    const t0 = Date.parse(at)
    // Two screens at the same server time show the same moment, whenever they connected.
    expect(revealElapsed(at, t0 + 1234, tl)).toBe(1234)
    expect(revealElapsed(at, t0 - 50, tl)).toBe(0)
    // After the end (or with no reveal moment), everything shows at once.
    expect(revealElapsed(at, t0 + tl.end, tl)).toBe(Infinity)
    expect(revealElapsed(null, t0, tl)).toBe(Infinity)
    expect(revealElapsed('garbage', t0, tl)).toBe(Infinity)
  })

  test('during the reveal the leaderboard stands as it was before it, read from the revealed board', () => {
    const rows = [
      { project_id: 7, rank: 1, composite: '90', movement: 0, tied: false },
      { project_id: 3, rank: 2, composite: '88', movement: -1, tied: false },
      { project_id: 12, rank: 3, composite: '85', movement: 0, tied: false },
      { project_id: 25, rank: 4, composite: '84', movement: -2, tied: false },
    ]
    // Slot [7, 12] was just revealed: before it, 3 led and 25 was second.
    const before = rowsBeforeReveal(rows, [7, 12])
    expect(before.map((r) => [r.project_id, r.rank, r.movement])).toEqual([
      [3, 1, 0],
      [25, 2, 0],
    ])
    expect(rowsBeforeReveal(null, [1])).toEqual([])
  })

  test('the panel score counts up and lands exactly on the server’s value', () => {
    expect(countUp('85.33', 0)).toBe('0.00')
    const mid = Number(countUp('85.33', 0.5))
    expect(mid).toBeGreaterThan(0)
    expect(mid).toBeLessThan(85.33)
    expect(countUp('85.33', 0.999)).not.toBe('85.34')
    expect(countUp('85.33', 1)).toBe('85.33')
    expect(countUp('87.5', 1)).toBe('87.50')
    expect(countUp('100', 2)).toBe('100.00')
    expect(twoDecimals('84.4')).toBe('84.40')
    expect(twoDecimals('n/a')).toBe('n/a')
  })

  test('what shows at a moment', () => {
    const tl = revealTimeline([3])
    const t = tl.projects[0]!
    expect(revealAt(t, '85.33', 0)).toEqual({ judgesShown: 0, struck: false, panel: null, composite: false })
    expect(revealAt(t, '85.33', t.judgeAt[1]!).judgesShown).toBe(2)
    expect(revealAt(t, '85.33', t.strikeAt).struck).toBe(true)
    expect(revealAt(t, '85.33', t.panelFrom)!.panel).toBe('0.00')
    expect(revealAt(t, '85.33', t.panelUntil)!.panel).toBe('85.33')
    expect(revealAt(t, '85.33', t.compositeAt).composite).toBe(true)
    // Not animated (a reload, reduced motion): everything at once.
    expect(revealAt(t, '85.3', Infinity)).toEqual({ judgesShown: Infinity, struck: true, panel: '85.30', composite: true })
  })
})

describe('leaderboard and podium', () => {
  test('top rows in rank order, ties keep the server’s order', () => {
    const rows = topRows([
      { project_id: 1, rank: 2, composite: '80', movement: 0, tied: true },
      { project_id: 2, rank: 1, composite: '90', movement: 1, tied: false },
      { project_id: 3, rank: 2, composite: '80', movement: -1, tied: true },
    ])
    expect(rows.map((r) => r.project_id)).toEqual([2, 1, 3])
    expect(topRows(null)).toEqual([])
    const many = Array.from({ length: 14 }, (_, i) => ({ project_id: i, rank: i + 1, composite: '1', movement: 0, tied: false }))
    expect(topRows(many)).toHaveLength(10)
  })

  test('movement reads up, down and unchanged', () => {
    expect(movementOf(2)).toEqual({ direction: 'up', places: 2 })
    expect(movementOf(-3)).toEqual({ direction: 'down', places: 3 })
    expect(movementOf(0)).toEqual({ direction: 'same', places: 0 })
    expect(movementOf(undefined)).toEqual({ direction: 'same', places: 0 })
  })

  test('the podium stands 2nd, 1st, 3rd and reveals 3rd, 2nd, 1st', () => {
    const places = podiumPlaces([12, 3, 7])
    expect(places.map((p) => p.place)).toEqual([2, 1, 3])
    expect(places.map((p) => p.projectId)).toEqual([3, 12, 7])
    const at = (place: number) => places.find((p) => p.place === place)!.revealAt
    expect(at(3)).toBeLessThan(at(2))
    expect(at(2)).toBeLessThan(at(1))
    expect(podiumPlaces([5]).map((p) => p.place)).toEqual([1])
    expect(podiumPlaces(null)).toEqual([])
  })

  test('initials skip opening quotes', () => {
    expect(initials('“百姓议事厅”')).toBe('百')
    expect(initials('Safe streets')).toBe('S')
    expect(initials('')).toBe('?')
  })
})

describe('the vote count', () => {
  test('counts the current slot only, not the event', () => {
    const s = boardFixture() // slot 2 (index 1): projects 3 and 25; slot 1 had 41 + 31 votes
    expect(slotVotes(s)).toBe(90)
    expect(slotVotes(boardFixture({ slot: 2 }))).toBe(0)
    expect(slotVotes(boardFixture({ slot: -1 }))).toBe(0)
    expect(slotVotes(null)).toBe(0)
  })
})
