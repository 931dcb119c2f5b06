// Pure logic of the audience's phone page: what the page shows for a board, what it remembers in
// localStorage (the device token, the ticket code, the votes cast per slot), and how a refused
// vote is explained.
import type { ApiError } from '@/api/client'
import { currentProjectIds, type BoardState } from '@/api/liveBoard'

/** VoteMemory is what the phone remembers for one event. */
export interface VoteMemory {
  deviceToken: string | null
  ticket: string
  /** votes maps a slot-and-credential key (voteKey) to the project voted for (0: unknown). */
  votes: Record<string, number>
}

/** voteStorageKey is the localStorage key of an event's memory. */
export function voteStorageKey(eventId: string): string {
  return `leitai.vote.${eventId}`
}

/** emptyMemory is the memory of a phone that never voted. */
export function emptyMemory(): VoteMemory {
  return { deviceToken: null, ticket: '', votes: {} }
}

/** parseMemory reads stored memory, tolerating anything (an old format, a hand-edited value). */
export function parseMemory(raw: string | null): VoteMemory {
  if (!raw) return emptyMemory()
  try {
    const value = JSON.parse(raw) as Partial<VoteMemory> | null
    if (!value || typeof value !== 'object') return emptyMemory()
    const votes: Record<string, number> = {}
    if (value.votes && typeof value.votes === 'object') {
      for (const [k, v] of Object.entries(value.votes)) if (typeof v === 'number') votes[k] = v
    }
    return {
      deviceToken: typeof value.deviceToken === 'string' && value.deviceToken !== '' ? value.deviceToken : null,
      ticket: typeof value.ticket === 'string' ? value.ticket : '',
      votes,
    }
  } catch {
    return emptyMemory()
  }
}

/** normaliseTicket trims a typed ticket code and puts it in capitals ("k7qx-2m9p " → "K7QX-2M9P"). */
export function normaliseTicket(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase()
}

/**
 * voteKey names the current slot for one credential: the slot's index and projects (a re-drawn
 * programme is a different slot) and the ticket, or the device. Null before the first slot.
 */
export function voteKey(state: BoardState | null, ticket: string): string | null {
  if (!state || state.slot < 0) return null
  const ids = currentProjectIds(state)
  const who = ticket ? `t:${normaliseTicket(ticket)}` : 'd'
  return `${state.slot}:${ids.join(',')}|${who}`
}

/** usesTicket reports whether a vote in this mode goes by ticket: always in `tickets`, when typed in `both`. */
export function usesTicket(mode: BoardState['audience_mode'], ticket: string): boolean {
  return mode === 'tickets' || (mode === 'both' && normaliseTicket(ticket) !== '')
}

/** VoteView is what the page shows. */
export type VoteView = 'loading' | 'none' | 'waiting' | 'open' | 'notOpen' | 'voted' | 'closed' | 'finished'

/** voteView decides what the page shows for a board and the vote remembered for this slot. */
export function voteView(state: BoardState | null, votedFor: number | null): VoteView {
  if (!state) return 'loading'
  if (state.audience_mode === 'none') return 'none'
  if (state.phase === 'finished') return 'finished'
  if (state.slot < 0 || state.phase === 'idle') return 'waiting'
  if (votedFor !== null) return 'voted'
  if (state.voting_open) return 'open'
  if (state.phase === 'presenting' || state.phase === 'qa') return 'notOpen'
  return 'closed'
}

/** VoteProblem is a refused vote, explained: the message key and what the page should do. */
export interface VoteProblem {
  key: string
  params?: Record<string, number>
  /** voted is true when the refusal means this credential has already voted in the slot. */
  voted?: boolean
  /** closed is true when voting has closed. */
  closed?: boolean
  /** ticket is true when the ticket code is the problem (focus the field). */
  ticket?: boolean
  /** device is true when the stored device token is refused: forget it (the next vote asks anew). */
  device?: boolean
}

/**
 * explainVoteError turns a refused vote into plain words: 409 is "already voted" while the board
 * says voting is open and "closed" otherwise; 422 naming the ticket is a bad ticket code; 429 asks
 * to wait (Retry-After seconds when given); no answer is a network problem.
 */
export function explainVoteError(err: ApiError, state: BoardState | null): VoteProblem {
  switch (err.code) {
    case 'conflict':
      if (state && !state.voting_open) return { key: 'phone.errors.closed', closed: true }
      if (/clos/i.test(err.message)) return { key: 'phone.errors.closed', closed: true }
      return { key: 'phone.errors.already', voted: true }
    case 'invalid':
      if (err.fields.ticket !== undefined) return { key: 'phone.errors.ticket', ticket: true }
      // A token of another event, or one the server no longer knows: rescan for a new one.
      if (err.fields.device_token !== undefined) return { key: 'phone.errors.presence', device: true }
      return { key: 'phone.errors.failed' }
    case 'not_found':
      if (err.fields.ticket !== undefined) return { key: 'phone.errors.ticket', ticket: true }
      return { key: 'phone.errors.failed' }
    case 'rate_limited':
      return err.retryAfter !== null && err.retryAfter > 0
        ? { key: 'phone.errors.rateWait', params: { seconds: err.retryAfter } }
        : { key: 'phone.errors.rate' }
    case 'network':
    case 'unavailable':
      return { key: 'phone.errors.network' }
    default:
      return { key: 'phone.errors.failed' }
  }
}

/** tallyShare is a project's share of the slot's votes, 0…100 (0 when nobody voted). */
export function tallyShare(tally: Record<string, number> | null | undefined, id: number, ids: readonly number[]): number {
  if (!tally) return 0
  const total = ids.reduce((sum, x) => sum + (Number(tally[String(x)]) || 0), 0)
  if (total === 0) return 0
  return Math.round(((Number(tally[String(id)]) || 0) * 100) / total)
}

/** hasTally reports whether the board carries votes for any of the slot's projects. */
export function hasTally(tally: Record<string, number> | null | undefined, ids: readonly number[]): boolean {
  if (!tally) return false
  return ids.some((id) => tally[String(id)] !== undefined)
}

/**
 * showsAudienceTally says whether the phone shows the per-project votes: while voting is open
 * only when the host chose so (live tallies invite bandwagon votes, #15 item 4), and once it has
 * closed when there are any.
 */
export function showsAudienceTally(
  state: { voting_open: boolean; tally?: Record<string, number> | null; tallies_public?: boolean } | null,
  ids: readonly number[],
): boolean {
  if (!state || (state.voting_open && !state.tallies_public)) return false
  return hasTally(state.tally, ids)
}
