import { describe, expect, test } from 'vitest'
import type { CurrentProject } from '@/api/liveEvents'
import { backTarget, CONFIRMED, isShortcut, seatScoreOf, shortcutAction, slotStatus, transitionButtons, type KeyLike } from './actions'

const key = (over: Partial<KeyLike> = {}): KeyLike => ({
  key: 'ArrowRight',
  shiftKey: true,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  repeat: false,
  target: { tagName: 'BODY', closest: () => null },
  ...over,
})

describe('transition buttons', () => {
  test('every transition is shown in order; only the allowed ones are enabled', () => {
    const row = transitionButtons(['seal', 'pause'])
    expect(row.map((b) => b.action)).toEqual(['present', 'qa', 'open_scoring', 'seal', 'reveal', 'reseal', 'finish'])
    expect(row.filter((b) => b.enabled).map((b) => b.action)).toEqual(['seal'])
  })

  test('kinds colour the buttons and reveal, finish and re-seal ask first', () => {
    const row = Object.fromEntries(transitionButtons([]).map((b) => [b.action, b]))
    expect(row.present!.kind).toBe('go')
    expect(row.open_scoring!.kind).toBe('go')
    expect(row.seal!.kind).toBe('stop')
    expect(row.reveal!.kind).toBe('reveal')
    expect(row.finish!.kind).toBe('reveal')
    expect(row.reveal!.confirm && row.finish!.confirm && row.reseal!.confirm).toBe(true)
    expect(row.present!.confirm || row.seal!.confirm).toBe(false)
  })

  test('nothing is enabled while paused', () => {
    expect(transitionButtons(['present', 'resume'], true).some((b) => b.enabled)).toBe(false)
  })
})

describe('the keyboard shortcut', () => {
  test('never reveals, seals or finishes', () => {
    expect(shortcutAction(['reveal', 'pause'])).toBeNull()
    expect(shortcutAction(['finish'])).toBeNull()
    expect(shortcutAction(['seal'])).toBeNull()
    expect(shortcutAction(['reseal', 'present'])).toBe('present')
    expect(shortcutAction(['qa', 'pause'])).toBe('qa')
    expect(shortcutAction(['open_scoring', 'present'])).toBe('present')
    expect(shortcutAction(['present'], true)).toBeNull()
  })

  test('is Shift+→ once, not while typing or in a dialog', () => {
    expect(isShortcut(key())).toBe(true)
    expect(isShortcut(key({ shiftKey: false }))).toBe(false)
    expect(isShortcut(key({ ctrlKey: true }))).toBe(false)
    expect(isShortcut(key({ repeat: true }))).toBe(false)
    expect(isShortcut(key({ key: 'Enter' }))).toBe(false)
    expect(isShortcut(key({ target: { tagName: 'INPUT' } }))).toBe(false)
    expect(isShortcut(key({ target: { tagName: 'textarea' } }))).toBe(false)
    expect(isShortcut(key({ target: { tagName: 'BUTTON' } }))).toBe(false)
    expect(isShortcut(key({ target: { tagName: 'DIV', isContentEditable: true } }))).toBe(false)
    expect(isShortcut(key({ target: { tagName: 'DIV', closest: () => ({}) } }))).toBe(false)
  })
})

describe('programme status', () => {
  test('before the show the first slot is next', () => {
    expect([0, 1, 2].map((i) => slotStatus(i, -1, 'idle'))).toEqual(['next', 'later', 'later'])
  })
  test('during a slot', () => {
    expect([0, 1, 2, 3].map((i) => slotStatus(i, 1, 'scoring'))).toEqual(['done', 'current', 'next', 'later'])
  })
  test('finished: all done', () => {
    expect([0, 1].map((i) => slotStatus(i, 1, 'finished'))).toEqual(['done', 'done'])
  })
})

describe('step back', () => {
  test('says where it leads, as the server does it, and never from a reveal', () => {
    expect(backTarget('qa', 0, 1, 2)).toEqual({ stage: 'presenting', n: 2 })
    expect(backTarget('presenting', 0, 1, 2)).toEqual({ stage: 'qa', n: 1 })
    expect(backTarget('presenting', 2, 0, 2)).toEqual({ stage: 'revealed', slot: 2 })
    expect(backTarget('presenting', 0, 0, 2)).toEqual({ stage: 'idle' })
    expect(backTarget('scoring', 1, 1, 2)).toEqual({ stage: 'qa', n: 2 })
    expect(backTarget('sealed', 1, 1, 2)).toEqual({ stage: 'scoring' })
    expect(backTarget('revealed', 1, 0, 2)).toBeNull()
    expect(backTarget('finished', 4, 0, 2)).toBeNull()
    expect(backTarget('idle', -1, 0, 2)).toBeNull()
  })
  test('asks first, and is not among the main row or the shortcut', () => {
    expect(CONFIRMED.has('back')).toBe(true)
    expect(transitionButtons(['back']).map((b) => b.action)).not.toContain('back')
    expect(shortcutAction(['back', 'timer_restart'])).toBeNull()
  })
})

describe('seatScoreOf', () => {
  const current = [
    { project_id: 11, panel: '88.00', seats: [{ seat: 1, submitted: true, total: '90.00' }] },
    { project_id: 12, panel: null, seats: [] },
  ] as unknown as CurrentProject[]
  test('finds a seat of a project', () => {
    expect(seatScoreOf(current, 11, 1)?.total).toBe('90.00')
  })
  test('is null for a seat not in yet or a project not in the slot', () => {
    expect(seatScoreOf(current, 11, 2)).toBeNull()
    expect(seatScoreOf(current, 12, 1)).toBeNull()
    expect(seatScoreOf(current, 99, 1)).toBeNull()
  })
})
