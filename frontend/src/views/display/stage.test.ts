import { describe, expect, test } from 'vitest'
import { boardFixture } from './boardFixture'
import {
  countUp,
  initials,
  judgeChips,
  movementOf,
  podiumPlaces,
  revealAt,
  revealTimeline,
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
  test('projects reveal one after the other, the winner last', () => {
    const tl = revealTimeline([7, 7])
    const [a, b] = tl.projects
    expect(a!.judgeAt).toHaveLength(7)
    expect(a!.strikeAt).toBeGreaterThan(a!.judgeAt[6]!)
    expect(a!.panelFrom).toBeGreaterThan(a!.strikeAt)
    expect(a!.compositeAt).toBeGreaterThan(a!.panelUntil)
    expect(b!.judgeAt[0]).toBeGreaterThan(a!.compositeAt)
    expect(tl.winnerAt).toBeGreaterThan(b!.compositeAt)
    expect(tl.end).toBeGreaterThanOrEqual(tl.winnerAt)
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
