// Where a review round stands for an expert at a moment: the server takes scores only while the
// round is open and inside its window (models.Round.AcceptsScores).
import type { Round } from '@/api/rounds'

/** RoundPhase is a round's status, with "open" split by its window. */
export type RoundPhase = 'draft' | 'before' | 'open' | 'after' | 'closed' | 'published'

/** roundPhase tells the phase of a round at now (ms since the epoch). */
export function roundPhase(r: Pick<Round, 'status' | 'opens_at' | 'closes_at'>, now: number): RoundPhase {
  if (r.status !== 'open') return r.status
  if (now < Date.parse(r.opens_at)) return 'before'
  if (now > Date.parse(r.closes_at)) return 'after'
  return 'open'
}

/** acceptsScores reports whether experts may save or change scores at now. */
export function acceptsScores(r: Pick<Round, 'status' | 'opens_at' | 'closes_at'>, now: number): boolean {
  return roundPhase(r, now) === 'open'
}
