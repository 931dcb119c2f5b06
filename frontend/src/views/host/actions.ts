// The host console's transition buttons: which exist, how they look (go / stop / reveal), which
// need a confirmation, and which one a keyboard shortcut may trigger. The server's `show.allowed`
// is the only source of which are enabled; nothing here second-guesses the state machine.
import type { CurrentProject, SeatScore, ShowAction, ShowPhase } from '@/api/liveEvents'

/** ActionKind is a button's colour: go (green), stop (amber), reveal (red and gold). */
export type ActionKind = 'go' | 'stop' | 'reveal'

/** TRANSITIONS are the main row's buttons, in the order a slot runs. */
export const TRANSITIONS: readonly ShowAction[] = ['present', 'qa', 'open_scoring', 'seal', 'reveal', 'reseal', 'finish']

/** ACTION_KIND colours each action. */
export const ACTION_KIND: Record<ShowAction, ActionKind> = {
  present: 'go',
  qa: 'go',
  open_scoring: 'go',
  seal: 'stop',
  reveal: 'reveal',
  reseal: 'stop',
  finish: 'reveal',
  pause: 'stop',
  resume: 'go',
  back: 'stop',
  timer_pause: 'stop',
  timer_resume: 'go',
  timer_restart: 'go',
}

/**
 * CONFIRMED are the actions that ask first: what the audience sees at once and cannot be taken
 * back (reveal, finish), re-sealing a revealed slot, and stepping back a stage.
 */
export const CONFIRMED: ReadonlySet<ShowAction> = new Set<ShowAction>(['reveal', 'finish', 'reseal', 'back'])

/** TIMER_ACTIONS are the timer's own buttons, beside the timer (the show goes on). */
export const TIMER_ACTIONS: readonly ShowAction[] = ['timer_pause', 'timer_resume', 'timer_restart']

/** ActionButton is one button of the row. */
export interface ActionButton {
  action: ShowAction
  kind: ActionKind
  enabled: boolean
  confirm: boolean
}

/** transitionButtons maps `show.allowed` to the row of buttons (all shown, only allowed enabled). */
export function transitionButtons(allowed: readonly ShowAction[], paused = false): ActionButton[] {
  const set = new Set(allowed)
  return TRANSITIONS.map((action) => ({
    action,
    kind: ACTION_KIND[action],
    enabled: !paused && set.has(action),
    confirm: CONFIRMED.has(action),
  }))
}

/** SHORTCUT_ACTIONS are the only actions a key may trigger: never seal, reveal, re-seal or finish. */
export const SHORTCUT_ACTIONS: readonly ShowAction[] = ['present', 'qa', 'open_scoring']

/** shortcutAction is what the "next" shortcut would do now, or null (nothing safe is allowed). */
export function shortcutAction(allowed: readonly ShowAction[], paused = false): ShowAction | null {
  if (paused) return null
  return SHORTCUT_ACTIONS.find((a) => allowed.includes(a)) ?? null
}

/** KeyLike is the part of a KeyboardEvent the shortcut looks at. */
export interface KeyLike {
  key: string
  shiftKey: boolean
  ctrlKey: boolean
  altKey: boolean
  metaKey: boolean
  repeat: boolean
  target: unknown
}

/**
 * isShortcut reports whether ev is the "next" shortcut: Shift+→ held down once (no auto-repeat),
 * with no other modifier, and not typed into a field, a button or anything editable.
 */
export function isShortcut(ev: KeyLike): boolean {
  if (ev.key !== 'ArrowRight' || !ev.shiftKey || ev.ctrlKey || ev.altKey || ev.metaKey || ev.repeat) return false
  return !isEditable(ev.target)
}

function isEditable(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false
  const el = target as { tagName?: unknown; isContentEditable?: unknown; closest?: unknown }
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : ''
  if (['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'].includes(tag)) return true
  if (el.isContentEditable === true) return true
  if (typeof el.closest === 'function') {
    const closest = el.closest as (s: string) => unknown
    if (closest.call(target, '[role="dialog"], .el-overlay, [contenteditable="true"]')) return true
  }
  return false
}

/** SlotStatus is a programme line's status. */
export type SlotStatus = 'done' | 'current' | 'next' | 'later'

/**
 * slotStatus places slot index against the show: done before the current one (and every slot once
 * finished), current, next (the one after the current), later.
 */
export function slotStatus(index: number, current: number, phase: ShowPhase): SlotStatus {
  if (phase === 'finished') return 'done'
  if (index < current) return 'done'
  if (index === current) return phase === 'idle' ? 'next' : 'current'
  if (index === current + 1) return current < 0 || phase !== 'idle' ? 'next' : 'later'
  return 'later'
}

/** BackTarget is where "step back" leads, for its confirmation: a stage, with its project or slot (1-based). */
export interface BackTarget {
  stage: 'idle' | 'presenting' | 'qa' | 'scoring' | 'revealed'
  n?: number
  slot?: number
}

/**
 * backTarget mirrors the server's ActionBack (models/show.go) to say where it leads; null where
 * the server refuses it (a revealed or finished slot, before the show).
 */
export function backTarget(phase: ShowPhase, slot: number, presenting: number, slotSize: number): BackTarget | null {
  switch (phase) {
    case 'qa':
      return { stage: 'presenting', n: presenting + 1 }
    case 'presenting':
      if (presenting > 0) return { stage: 'qa', n: presenting }
      if (slot > 0) return { stage: 'revealed', slot }
      return { stage: 'idle' }
    case 'scoring':
      return { stage: 'qa', n: Math.max(slotSize, 1) }
    case 'sealed':
      return { stage: 'scoring' }
    default:
      return null
  }
}

/** seatScoreOf is a seat's score of a project of the current slot, or null before it is in. */
export function seatScoreOf(current: CurrentProject[], projectID: number, seat: number): SeatScore | null {
  return current.find((c) => c.project_id === projectID)?.seats.find((s) => s.seat === seat) ?? null
}
