// Pure logic of the big screen: what the stage shows in each phase, the reveal's timeline, the
// count-up of a score, the leaderboard's movement and the podium's order. The components only draw.
import { currentProjectIds, totalVotes, type BoardState, type JudgeScore, type LeaderboardRow, type ShowPhase } from '@/api/liveBoard'

/** StageMode is the big screen's layout: before the first slot, a slot on stage, or the podium. */
export type StageMode = 'idle' | 'slot' | 'finished'

/** stageMode picks the layout for a board. */
export function stageMode(state: BoardState): StageMode {
  if (state.phase === 'finished') return 'finished'
  if (state.phase === 'idle' || state.slot < 0) return 'idle'
  return 'slot'
}

/** timerKind names the running timer: the presentation or the Q&A; null in other phases. */
export function timerKind(phase: ShowPhase): 'presentation' | 'qa' | null {
  if (phase === 'presenting') return 'presentation'
  if (phase === 'qa') return 'qa'
  return null
}

/** TIMER_WARN_MS is when a timer turns gold (the last minute). */
export const TIMER_WARN_MS = 60000

/** timerTone is how a timer looks: normal, the last minute, or over. */
export function timerTone(remainingMs: number): 'normal' | 'warn' | 'over' {
  if (remainingMs <= 0) return 'over'
  if (remainingMs <= TIMER_WARN_MS) return 'warn'
  return 'normal'
}

/** scoringDots returns one entry per judge, true for each score submitted (capped at judges). */
export function scoringDots(submitted: number | undefined, judges: number): boolean[] {
  const n = Math.max(0, Math.floor(judges))
  const done = Math.min(n, Math.max(0, Math.floor(submitted ?? 0)))
  return Array.from({ length: n }, (_, i) => i < done)
}

/** JudgeChip is one judge's score as shown in the reveal row. */
export interface JudgeChip {
  seat: number
  total: string
  /** struck is 'high' or 'low' for a score dropped from the panel score, else null. */
  struck: 'high' | 'low' | null
}

/**
 * judgeChips orders a result's scores by seat, keeping the server's `struck` marks (the server
 * decides which scores the method drops; the screen never recomputes it).
 */
export function judgeChips(scores: readonly JudgeScore[]): JudgeChip[] {
  return [...scores]
    .sort((a, b) => a.seat - b.seat)
    .map((s) => ({ seat: s.seat, total: s.total, struck: s.struck === 'high' || s.struck === 'low' ? s.struck : null }))
}

// ---------------------------------------------------------------------------------------------
// The reveal's timeline (milliseconds from the server's revealed_at)

/** RevealTimes is when each part of one project's reveal appears. */
export interface RevealTimes {
  /** judgeAt[i] is when the i-th judge's score appears. */
  judgeAt: number[]
  strikeAt: number
  panelFrom: number
  panelUntil: number
  compositeAt: number
}

/** RevealTimeline is the whole reveal of a slot. */
export interface RevealTimeline {
  projects: RevealTimes[]
  winnerAt: number
  /** end is when everything is shown (the leaderboard then moves). */
  end: number
}

const REVEAL_START_MS = 300
const JUDGE_STEP_MS = 150
const STRIKE_PAUSE_MS = 400
const PANEL_PAUSE_MS = 300
const PANEL_COUNT_MS = 1400
const COMPOSITE_PAUSE_MS = 300
const WINNER_PAUSE_MS = 500
const END_PAUSE_MS = 300

/** REVEAL_MAX_MS bounds a slot's reveal (up to 9 judges a project), before the leaderboard moves. */
export const REVEAL_MAX_MS = 4800

/**
 * revealTimeline plans the reveal of a slot's projects side by side (a PK pair reveals at once):
 * each judge's score, the strike-through of the highest and lowest, the panel score counting up,
 * the composite; then the winner, then the leaderboard moves. With up to 9 judges it is over in
 * REVEAL_MAX_MS, so the board never lags the reveal.
 */
export function revealTimeline(judgeCounts: readonly number[]): RevealTimeline {
  const projects: RevealTimes[] = judgeCounts.map((count) => {
    const n = Math.max(0, Math.floor(count))
    // More than 9 judges (two rows) appear faster, so the whole reveal keeps its length.
    const step = n > 9 ? (JUDGE_STEP_MS * 8) / (n - 1) : JUDGE_STEP_MS
    const judgeAt = Array.from({ length: n }, (_, i) => REVEAL_START_MS + i * step)
    const last = judgeAt[judgeAt.length - 1] ?? REVEAL_START_MS
    const strikeAt = last + STRIKE_PAUSE_MS
    const panelFrom = strikeAt + PANEL_PAUSE_MS
    const panelUntil = panelFrom + PANEL_COUNT_MS
    const compositeAt = panelUntil + COMPOSITE_PAUSE_MS
    return { judgeAt, strikeAt, panelFrom, panelUntil, compositeAt }
  })
  const lastComposite = Math.max(0, ...projects.map((p) => p.compositeAt))
  const winnerAt = projects.length ? lastComposite + WINNER_PAUSE_MS : 0
  return { projects, winnerAt, end: winnerAt + END_PAUSE_MS }
}

/**
 * revealElapsed is how far into a reveal the screen is: the server's time now minus the board's
 * revealed_at (both in the server's clock, so every screen agrees), Infinity when the board has no
 * reveal moment or the reveal is over.
 */
export function revealElapsed(revealedAt: string | null | undefined, serverNow: number, timeline: RevealTimeline): number {
  if (!revealedAt) return Infinity
  const at = Date.parse(revealedAt)
  if (!Number.isFinite(at)) return Infinity
  const elapsed = Math.max(0, serverNow - at)
  return elapsed >= timeline.end ? Infinity : elapsed
}

/**
 * rowsBeforeReveal is the leaderboard as it stood before the current slot's reveal, read from the
 * revealed board itself (so a screen that connected mid-reveal shows the same rows as one that
 * watched): without the slot's projects, each row at its rank before (rank + movement), unmoved.
 */
export function rowsBeforeReveal(rows: readonly LeaderboardRow[] | null | undefined, current: readonly number[]): LeaderboardRow[] {
  if (!rows) return []
  return rows
    .filter((row) => !current.includes(row.project_id))
    .map((row) => ({ ...row, rank: row.rank + Math.trunc(Number(row.movement) || 0), movement: 0 }))
}

/** easeOutCubic eases a share 0…1 so that a count slows down as it lands. */
export function easeOutCubic(x: number): number {
  const c = Math.min(1, Math.max(0, x))
  return 1 - (1 - c) ** 3
}

/**
 * countUp returns the text of a score counting up to target (a decimal string like "85.33") at
 * progress 0…1, always with two decimals; at 1 it is exactly the target as the server wrote it
 * (padded to two decimals), so rounding in the browser never shows a different final score.
 */
export function countUp(target: string, progress: number): string {
  const exact = twoDecimals(target)
  if (progress >= 1) return exact
  const value = Number(target)
  if (!Number.isFinite(value)) return exact
  const shown = Math.floor(value * 100 * easeOutCubic(progress)) / 100
  return shown.toFixed(2)
}

/** twoDecimals pads a decimal string to two decimals ("87" → "87.00", "87.5" → "87.50"). */
export function twoDecimals(value: string): string {
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(value.trim())
  if (!m) return value
  return `${m[1]}.${((m[2] ?? '') + '00').slice(0, 2)}`
}

/** RevealView is what one project's reveal shows at a moment. */
export interface RevealView {
  judgesShown: number
  struck: boolean
  panel: string | null
  composite: boolean
}

/** revealAt says what of a project's reveal shows at elapsed ms (Infinity: everything). */
export function revealAt(times: RevealTimes | undefined, panel: string, elapsed: number): RevealView {
  if (!times || elapsed === Infinity) return { judgesShown: Infinity, struck: true, panel: twoDecimals(panel), composite: true }
  const judgesShown = times.judgeAt.filter((at) => at <= elapsed).length
  const struck = elapsed >= times.strikeAt
  let shown: string | null = null
  if (elapsed >= times.panelFrom) {
    const span = Math.max(1, times.panelUntil - times.panelFrom)
    shown = countUp(panel, (elapsed - times.panelFrom) / span)
  }
  return { judgesShown, struck, panel: shown, composite: elapsed >= times.compositeAt }
}

// ---------------------------------------------------------------------------------------------
// Leaderboard and podium

/** LEADERBOARD_SIZE is how many rows the screen shows. */
export const LEADERBOARD_SIZE = 10

/** topRows returns the first rows of a leaderboard in rank order (stable for equal ranks). */
export function topRows(rows: readonly LeaderboardRow[] | null | undefined, size = LEADERBOARD_SIZE): LeaderboardRow[] {
  if (!rows) return []
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => a.row.rank - b.row.rank || a.i - b.i)
    .slice(0, size)
    .map((x) => x.row)
}

/** Movement is a row's change of rank as shown: up or down by n places, or unchanged. */
export interface Movement {
  direction: 'up' | 'down' | 'same'
  places: number
}

/** movementOf reads a row's movement (positive = up). */
export function movementOf(movement: number | null | undefined): Movement {
  const n = Math.trunc(Number(movement) || 0)
  if (n > 0) return { direction: 'up', places: n }
  if (n < 0) return { direction: 'down', places: -n }
  return { direction: 'same', places: 0 }
}

/** PodiumPlace is one step of the podium. */
export interface PodiumPlace {
  place: 1 | 2 | 3
  projectId: number
  /** revealAt is when (ms after the podium appeared) the place is revealed. */
  revealAt: number
}

/** PODIUM_STEP_MS is the wait between the podium's places: 3rd, then 2nd, then 1st. */
export const PODIUM_STEP_MS = 2200

/**
 * podiumPlaces lays out the podium (the board's `podium` lists 1st, 2nd, 3rd) in the order seen
 * from the audience — 2nd, 1st, 3rd — each with the time it is revealed: 3rd first, 1st last.
 */
export function podiumPlaces(podium: readonly number[] | null | undefined): PodiumPlace[] {
  if (!podium) return []
  const places = podium.slice(0, 3).map((projectId, i) => ({ place: (i + 1) as 1 | 2 | 3, projectId }))
  const count = places.length
  const withTimes = places.map((p) => ({ ...p, revealAt: 800 + (count - p.place) * PODIUM_STEP_MS }))
  const order: Array<1 | 2 | 3> = [2, 1, 3]
  return order.map((place) => withTimes.find((p) => p.place === place)).filter((p): p is PodiumPlace => p !== undefined)
}

/** initials returns the first character of a title (a code point, not half a surrogate pair). */
export function initials(title: string): string {
  return Array.from(title.replace(/^[“"'「《（(【\s]+/, ''))[0] ?? '?'
}

/**
 * slotVotes is how many people voted in the current slot: the votes for its projects (one vote per
 * person per slot). The event's distinct voters would carry earlier slots' votes into this one.
 */
export function slotVotes(state: BoardState | null): number {
  return totalVotes(state?.tally, currentProjectIds(state))
}
