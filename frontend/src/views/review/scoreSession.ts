// One expert's score of one project while they work on it: what they typed, what the server holds,
// and the autosave between the two. Nothing typed is lost: every change is copied to localStorage at
// once (per user, as tablets are shared) and kept until the server has it; sessions are cached per
// project so that going to the next project and back keeps the input. Drafts are saved debounced,
// one request at a time, retried with backoff when the connection drops. A value the server refused
// (422 names the criterion) is held back so that the other values still save.
//
// A submitted score is never saved as a draft again (the server answers 409): changes to it stay
// local, marked "unsent", until the expert submits again.
import { reactive } from 'vue'
import { isApiError, type ApiError } from '@/api/client'
import type { ScoreInput } from '@/api/review'
import type { Criterion, Score } from '@/api/rounds'
import { readSetting, writeSetting } from '@/settings'
import { checkPoints, formatPoints, parsePoints, toHundredths, type Problem } from '@/domain/points'

/** COMMENT_LIMIT is the server's cap on a comment, in characters (code points). */
export const COMMENT_LIMIT = 2000

/** SaveState is what the page says about saving. */
export type SaveState =
  | 'saved' // the server has everything typed
  | 'pending' // a change waits for the debounce
  | 'saving'
  | 'offline' // no connection: retrying
  | 'failed' // the server failed: retrying
  | 'invalid' // some values were refused; the others are saved
  | 'unsent' // the score is submitted and has changes that need submitting again
  | 'locked' // the round takes no scores (closed, not yet open, or no longer assigned)

/** ScoreForm is what the expert edits: the typed text per criterion key, and the comment. */
export interface ScoreForm {
  values: Record<string, string>
  comment: string
}

/** LocalCopy is what localStorage keeps of unsaved typing. */
interface LocalCopy extends ScoreForm {
  /** base is the server's updated_at the typing started from ('' without a score). */
  base: string
  at: number
}

export interface SessionOptions {
  roundID: number
  projectID: number
  /** userID keeps experts sharing a tablet apart. */
  userID: number
  rubric: readonly Criterion[]
  score: Score | null
  /** writable says whether the round takes scores now. */
  writable: boolean
  save: (input: ScoreInput) => Promise<Score>
  debounceMs?: number
  backoff?: (attempt: number) => number
  /** onBlocked hears a 403, 404 or 409 from an autosave: the page reloads to learn why. */
  onBlocked?: (err: ApiError) => void
}

/** SubmitOutcome says how a submission went. */
export type SubmitOutcome =
  | { ok: true; score: Score }
  | { ok: false; reason: 'local'; problems: Record<string, Problem> }
  | { ok: false; reason: 'server'; error: unknown }

/** localKey is the localStorage key of one expert's unsaved typing for one project. */
export function localKey(userID: number, roundID: number, projectID: number): string {
  return `leitai.scoreDraft.${userID}.${roundID}.${projectID}`
}

/** formFromScore turns a server score into the form's text. */
export function formFromScore(rubric: readonly Criterion[], score: Score | null): ScoreForm {
  const values: Record<string, string> = {}
  for (const c of rubric) {
    const p = score?.points?.[c.key]
    values[c.key] = typeof p === 'number' ? formatPoints(p) : ''
  }
  return { values, comment: score?.comment ?? '' }
}

/** sameForm compares two forms by meaning: "22.50" equals "22.5". */
export function sameForm(a: ScoreForm, b: ScoreForm): boolean {
  if (a.comment.trim() !== b.comment.trim()) return false
  const keys = new Set([...Object.keys(a.values), ...Object.keys(b.values)])
  for (const k of keys) {
    if (canonical(a.values[k] ?? '') !== canonical(b.values[k] ?? '')) return false
  }
  return true
}

function canonical(text: string): string {
  const p = parsePoints(text)
  if (p.kind === 'number') return String(toHundredths(p.value))
  return p.kind === 'empty' ? '' : `?${text.trim()}`
}

function codePoints(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

function samePoints(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => k in b && toHundredths(a[k]!) === toHundredths(b[k]!))
}

/** createScoreSession returns the state and controls of one project's score. */
export function createScoreSession(options: SessionOptions) {
  const debounceMs = options.debounceMs ?? 1200
  const backoff = options.backoff ?? ((n: number) => Math.min(30_000, 2000 * 2 ** n))
  const key = localKey(options.userID, options.roundID, options.projectID)
  const rubric = options.rubric.map((c) => ({ ...c }))
  // The page that shows the session changes when the expert leaves and comes back: bind() swaps these.
  const io = { save: options.save, onBlocked: options.onBlocked }

  const state = reactive({
    form: formFromScore(rubric, options.score),
    /** saved is what the server holds, as form text. */
    saved: formFromScore(rubric, options.score),
    serverStatus: (options.score?.status ?? 'none') as 'none' | 'draft' | 'submitted',
    submittedAt: options.score?.submitted_at ?? null,
    /** updatedAt is the server's time of its copy ('' without one). */
    updatedAt: options.score?.updated_at ?? '',
    savedAt: null as Date | null,
    status: 'saved' as SaveState,
    writable: options.writable,
    submitting: false,
    /** errors are the server's problems (raw messages) per criterion key or "comment". */
    errors: {} as Record<string, string>,
    /** restored is true when typing kept on this device was put back after a reload. */
    restored: false,
  })

  // The values the server refused, so that the same value is not sent again.
  const refused: Record<string, string> = {}
  let lastSent: ScoreInput | null = options.score ? draftOf(formFromScore(rubric, options.score)) : null
  let timer: ReturnType<typeof setTimeout> | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let inflight: Promise<void> | null = null
  let again = false
  let attempts = 0
  let stopped = false

  /** dirty reports whether the form differs from the server's copy. */
  function dirty(): boolean {
    return !sameForm(state.form, state.saved)
  }

  function persistLocal(): void {
    if (!dirty()) writeSetting(key, null)
    else writeSetting(key, JSON.stringify({ ...state.form, base: state.updatedAt, at: Date.now() } satisfies LocalCopy))
  }

  /** draftOf is what a draft save sends: the readable values not already refused, and the comment. */
  function draftOf(form: ScoreForm): ScoreInput {
    const points: Record<string, number> = {}
    for (const c of rubric) {
      const text = form.values[c.key] ?? ''
      if (refused[c.key] !== undefined && refused[c.key] === text) continue
      const p = parsePoints(text)
      if (p.kind === 'number') points[c.key] = p.value
    }
    let comment = form.comment
    if (codePoints(comment) > COMMENT_LIMIT || (refused.comment !== undefined && refused.comment === comment)) {
      comment = lastSent?.comment ?? state.saved.comment
    }
    return { points, comment, submit: false }
  }

  function sameInput(a: ScoreInput | null, b: ScoreInput): boolean {
    return a !== null && a.comment.trim() === b.comment.trim() && samePoints(a.points, b.points)
  }

  /** held reports whether something typed is being held back (refused, unreadable or too long). */
  function held(): boolean {
    if (codePoints(state.form.comment) > COMMENT_LIMIT) return true
    return rubric.some((c) => {
      const text = state.form.values[c.key] ?? ''
      return parsePoints(text).kind === 'format' || (refused[c.key] !== undefined && refused[c.key] === text)
    })
  }

  function restingStatus(): SaveState {
    if (!state.writable) return 'locked'
    if (state.serverStatus === 'submitted') return dirty() ? 'unsent' : 'saved'
    if (held() || Object.keys(state.errors).length > 0) return 'invalid'
    return dirty() ? 'pending' : 'saved'
  }

  /** changed is called after every edit of `form`. */
  function changed(): void {
    persistLocal()
    for (const k of Object.keys(refused)) {
      const current = k === 'comment' ? state.form.comment : (state.form.values[k] ?? '')
      if (refused[k] !== current) {
        delete refused[k]
        delete state.errors[k]
      }
    }
    if (stopped || !state.writable || state.serverStatus === 'submitted') {
      state.status = restingStatus()
      return
    }
    if (state.status !== 'saving') state.status = 'pending'
    clearTimeout(timer)
    timer = setTimeout(() => void run(), debounceMs)
  }

  async function run(): Promise<void> {
    if (stopped || !state.writable || state.serverStatus === 'submitted') {
      state.status = restingStatus()
      return
    }
    if (inflight) {
      again = true
      return inflight
    }
    clearTimeout(timer)
    clearTimeout(retryTimer)
    const input = draftOf(state.form)
    // Nothing the server could keep yet (no score, nothing readable typed): no empty draft.
    const empty = Object.keys(input.points).length === 0 && input.comment.trim() === ''
    if (sameInput(lastSent, input) || (lastSent === null && empty)) {
      state.status = restingStatus()
      if (state.status === 'pending') state.status = 'saved'
      persistLocal()
      return
    }
    state.status = 'saving'
    const sentForm: ScoreForm = { values: { ...state.form.values }, comment: state.form.comment }
    inflight = (async () => {
      try {
        const score = await io.save(input)
        attempts = 0
        lastSent = input
        adoptServer(score, sentForm)
        state.savedAt = new Date()
        persistLocal()
        state.status = restingStatus()
        if (state.status === 'pending') again = true
      } catch (err) {
        if (isApiError(err, 'invalid') && Object.keys(err.fields).length > 0) {
          for (const [k, message] of Object.entries(err.fields)) {
            if (k === 'comment') refused.comment = sentForm.comment
            else if (k in sentForm.values) refused[k] = sentForm.values[k] ?? ''
            state.errors[k] = message
          }
          state.status = 'invalid'
          // Send what remains acceptable straight away.
          again = !sameInput(lastSent, draftOf(state.form))
        } else if (isApiError(err, 'conflict') || isApiError(err, 'forbidden') || isApiError(err, 'not_found')) {
          stopped = true
          state.status = 'locked'
          io.onBlocked?.(err)
        } else if (isApiError(err, 'unauthenticated')) {
          state.status = 'failed'
        } else {
          state.status = isApiError(err, 'network') ? 'offline' : 'failed'
          const wait = backoff(attempts++)
          retryTimer = setTimeout(() => void run(), wait)
        }
      } finally {
        inflight = null
      }
      if (again && !stopped) {
        again = false
        await run()
      }
    })()
    return inflight
  }

  /**
   * adoptServer records the server's copy after a save. The values sent become "saved"; what was
   * held back (refused or unreadable) keeps the server's previous value as its saved value.
   */
  function adoptServer(score: Score, sent: ScoreForm): void {
    const saved = formFromScore(rubric, score)
    // The form's text for values the server now holds, so "22.50" typed stays "22.50" but counts
    // as saved (sameForm compares by value).
    for (const c of rubric) {
      const text = sent.values[c.key] ?? ''
      const p = parsePoints(text)
      const server = score.points?.[c.key]
      if (p.kind === 'number' && typeof server === 'number' && toHundredths(server) === toHundredths(p.value)) saved.values[c.key] = text
    }
    state.saved = saved
    state.serverStatus = score.status
    state.submittedAt = score.submitted_at
    state.updatedAt = score.updated_at
    for (const c of rubric) {
      if (sent.values[c.key] === state.form.values[c.key] && refused[c.key] === undefined) delete state.errors[c.key]
    }
    if (refused.comment === undefined) delete state.errors.comment
  }

  /** flush saves a pending draft now and resolves when the autosave is idle. */
  async function flush(): Promise<void> {
    clearTimeout(timer)
    await run()
    while (inflight) await inflight
  }

  /** problems lists what keeps the form from being submitted, per criterion key (and comment). */
  function problems(submitting = true): Record<string, Problem> {
    const out: Record<string, Problem> = {}
    for (const c of rubric) {
      const p = checkPoints(state.form.values[c.key] ?? '', c, submitting)
      if (p) out[c.key] = p
    }
    return out
  }

  /**
   * submit sends every value with submit: true. Problems the client can see (an empty, unreadable,
   * out-of-range or off-step value) are reported without a request; the server's own 422 fills
   * `errors` per criterion.
   */
  async function submit(): Promise<SubmitOutcome> {
    const local = problems(true)
    if (Object.keys(local).length > 0) return { ok: false, reason: 'local', problems: local }
    clearTimeout(timer)
    clearTimeout(retryTimer)
    while (inflight) await inflight
    const points: Record<string, number> = {}
    for (const c of rubric) {
      const p = parsePoints(state.form.values[c.key] ?? '')
      if (p.kind === 'number') points[c.key] = p.value
    }
    const sentForm: ScoreForm = { values: { ...state.form.values }, comment: state.form.comment }
    const input: ScoreInput = { points, comment: state.form.comment.trim(), submit: true }
    state.submitting = true
    try {
      const score = await io.save(input)
      for (const k of Object.keys(refused)) delete refused[k]
      state.errors = {}
      lastSent = { ...input, submit: false }
      adoptServer(score, sentForm)
      state.savedAt = new Date()
      persistLocal()
      state.status = restingStatus()
      return { ok: true, score }
    } catch (err) {
      if (isApiError(err, 'invalid')) {
        for (const [k, message] of Object.entries(err.fields)) state.errors[k] = message
        state.status = restingStatus()
      } else if (isApiError(err, 'conflict') || isApiError(err, 'forbidden') || isApiError(err, 'not_found')) {
        state.status = 'locked'
        io.onBlocked?.(err)
      }
      return { ok: false, reason: 'server', error: err }
    } finally {
      state.submitting = false
    }
  }

  /**
   * refresh takes the server's current copy (after a reload of the project). Typing not yet
   * saved is kept; otherwise the server's copy is shown.
   */
  function refresh(score: Score | null, writable: boolean): void {
    const hadChanges = dirty()
    state.writable = writable
    state.saved = formFromScore(rubric, score)
    state.serverStatus = score?.status ?? 'none'
    state.submittedAt = score?.submitted_at ?? null
    state.updatedAt = score?.updated_at ?? ''
    lastSent = score ? draftOf(formFromScore(rubric, score)) : null
    if (!hadChanges || !writable) {
      if (!writable && hadChanges) {
        // Read-only now: show the server's copy, keep the typing on the device.
        state.form = formFromScore(rubric, score)
      } else {
        state.form = formFromScore(rubric, score)
        writeSetting(key, null)
      }
    }
    stopped = !writable
    state.status = restingStatus()
    if (writable && state.status === 'pending') changed()
  }

  /** restoreLocal puts back typing kept on this device when it is newer than the server's copy. */
  function restoreLocal(): boolean {
    const raw = readSetting(key)
    if (!raw) return false
    let copy: LocalCopy
    try {
      copy = JSON.parse(raw) as LocalCopy
    } catch {
      writeSetting(key, null)
      return false
    }
    if (!copy || typeof copy !== 'object' || typeof copy.values !== 'object' || copy.values === null) return false
    const serverTime = state.updatedAt ? Date.parse(state.updatedAt) : 0
    if (copy.base !== state.updatedAt && copy.at < serverTime) {
      // The server's copy changed after this typing (another device): the server wins.
      writeSetting(key, null)
      return false
    }
    const form: ScoreForm = { values: { ...state.form.values }, comment: typeof copy.comment === 'string' ? copy.comment : '' }
    for (const c of rubric) {
      const v = copy.values[c.key]
      if (typeof v === 'string') form.values[c.key] = v
    }
    if (sameForm(form, state.saved)) {
      writeSetting(key, null)
      return false
    }
    state.form = form
    state.restored = true
    changed()
    return true
  }

  /** discardLocal throws away unsaved typing and shows the server's copy again. */
  function discardLocal(): void {
    state.form = { values: { ...state.saved.values }, comment: state.saved.comment }
    for (const k of Object.keys(refused)) delete refused[k]
    state.errors = {}
    state.restored = false
    writeSetting(key, null)
    clearTimeout(timer)
    state.status = restingStatus()
  }

  /** stop ends the timers (the page is closing); the local copy stays. */
  function stop(): void {
    clearTimeout(timer)
    clearTimeout(retryTimer)
  }

  /** retryNow skips the wait after a failure. */
  function retryNow(): void {
    if (state.status === 'offline' || state.status === 'failed') void run()
  }

  /** bind points the session at the page now showing it. */
  function bind(save: SessionOptions['save'], onBlocked?: SessionOptions['onBlocked']): void {
    io.save = save
    io.onBlocked = onBlocked
  }

  return { state, rubric, bind, changed, flush, submit, problems, refresh, restoreLocal, discardLocal, stop, retryNow, dirty }
}

/** ScoreSession is what createScoreSession returns. */
export type ScoreSession = ReturnType<typeof createScoreSession>

// Sessions by user, round and project, so that next/previous keeps what was typed even when a save
// is still pending or failed.
const sessions = new Map<string, ScoreSession>()

/**
 * scoreSession returns the cached session of a project, refreshed with the server's copy, or a new
 * one (with any typing kept on this device put back).
 */
export function scoreSession(options: SessionOptions): ScoreSession {
  const id = localKey(options.userID, options.roundID, options.projectID)
  const cached = sessions.get(id)
  if (cached && cached.rubric.length === options.rubric.length && cached.rubric.every((c, i) => c.key === options.rubric[i]?.key)) {
    cached.bind(options.save, options.onBlocked)
    cached.refresh(options.score, options.writable)
    return cached
  }
  const session = createScoreSession(options)
  if (options.writable) session.restoreLocal()
  sessions.set(id, session)
  return session
}
