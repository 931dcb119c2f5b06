// Autosave for the project editor. Typed text is never lost: every change is copied to
// localStorage at once and stays there until the server has stored it. Saves are debounced and
// one at a time; a dropped connection is retried with backoff (and as soon as the browser says it
// is online again). A field the server cannot take (over its length, or rejected with a 422) is
// held back at its last saved value so that the other fields still save.
import { reactive } from 'vue'
import { isApiError } from '@/api/client'
import { charCount, FIELD_LIMITS, PROJECT_FIELDS, type Project, type ProjectField, type ProjectFields } from '@/api/projects'
import { readSetting, writeSetting } from '@/settings'

/** SaveState is what the header says about saving. */
export type SaveState = 'saved' | 'pending' | 'saving' | 'offline' | 'failed' | 'invalid' | 'blocked'

/** LocalDraft is the copy of unsaved fields kept in localStorage. */
export interface LocalDraft {
  fields: ProjectFields
  /** base is the server's updated_at the draft was typed over. */
  base: string
  at: number
}

/** draftKey is the localStorage key of a project's unsaved fields. */
export function draftKey(projectID: number): string {
  return `leitai.projectDraft.${projectID}`
}

/** readDraft returns the unsaved fields kept for a project, or null. */
export function readDraft(projectID: number): LocalDraft | null {
  const raw = readSetting(draftKey(projectID))
  if (!raw) return null
  try {
    const d = JSON.parse(raw) as LocalDraft
    if (!d || typeof d !== 'object' || !d.fields) return null
    for (const f of PROJECT_FIELDS) if (typeof d.fields[f] !== 'string') d.fields[f] = ''
    return d
  } catch {
    return null
  }
}

/** sameFields reports whether two sets of fields are equal. */
export function sameFields(a: ProjectFields, b: ProjectFields): boolean {
  return PROJECT_FIELDS.every((f) => a[f] === b[f])
}

/** overLimit lists the fields longer than the server accepts. */
export function overLimit(fields: ProjectFields): ProjectField[] {
  return PROJECT_FIELDS.filter((f) => charCount(fields[f]) > FIELD_LIMITS[f])
}

export interface AutosaveOptions {
  projectID: number
  /** server is the project as loaded. */
  server: Project
  save: (fields: ProjectFields) => Promise<Project>
  debounceMs?: number
  /** backoff returns the wait before retry `attempt` (0-based), in ms. */
  backoff?: (attempt: number) => number
  onSaved?: (project: Project) => void
}

/** createAutosave returns the autosave state and its controls; `fields` is what the form edits. */
export function createAutosave(options: AutosaveOptions) {
  const debounceMs = options.debounceMs ?? 1200
  const backoff = options.backoff ?? ((n: number) => Math.min(30_000, 2000 * 2 ** n))
  const key = draftKey(options.projectID)

  const state = reactive({
    fields: pickFields(options.server),
    /** saved is what the server holds. */
    saved: pickFields(options.server),
    status: 'saved' as SaveState,
    savedAt: null as Date | null,
    /** errors are the server's problems per field (raw messages), for the values it refused. */
    errors: {} as Partial<Record<ProjectField, string>>,
    /** heldBack are the fields not sent because they are over their limit or were refused. */
    heldBack: [] as ProjectField[],
    blockedReason: '',
    retryAt: 0,
  })

  // The values the server refused, so that the same value is not sent again.
  const refused: Partial<Record<ProjectField, string>> = {}
  let base = options.server.updated_at
  let timer: number | undefined
  let retryTimer: number | undefined
  let inflight: Promise<void> | null = null
  let again = false
  let attempts = 0
  let stopped = false

  function pickFields(p: ProjectFields): ProjectFields {
    const out = {} as ProjectFields
    for (const f of PROJECT_FIELDS) out[f] = p[f] ?? ''
    return out
  }

  function persistLocal(): void {
    if (sameFields(state.fields, state.saved)) writeSetting(key, null)
    else writeSetting(key, JSON.stringify({ fields: state.fields, base, at: Date.now() } satisfies LocalDraft))
  }

  /** payload is what can be sent now: the typed fields, minus those the server would refuse. */
  function payload(): { fields: ProjectFields; held: ProjectField[] } {
    const out = { ...state.fields }
    const held: ProjectField[] = []
    for (const f of PROJECT_FIELDS) {
      const over = charCount(out[f]) > FIELD_LIMITS[f]
      const rejected = refused[f] !== undefined && refused[f] === out[f]
      if (over || rejected) {
        out[f] = state.saved[f]
        if (out[f] !== state.fields[f]) held.push(f)
      }
    }
    return { fields: out, held }
  }

  /** changed is called after every edit of `fields`. */
  function changed(): void {
    if (stopped) return
    persistLocal()
    for (const f of PROJECT_FIELDS) {
      if (refused[f] !== undefined && refused[f] !== state.fields[f]) {
        delete refused[f]
        delete state.errors[f]
      }
    }
    if (state.status !== 'saving') state.status = sameFields(state.fields, state.saved) ? 'saved' : 'pending'
    window.clearTimeout(timer)
    timer = window.setTimeout(() => void run(), debounceMs)
  }

  async function run(): Promise<void> {
    if (stopped) return
    if (inflight) {
      again = true
      return inflight
    }
    window.clearTimeout(timer)
    window.clearTimeout(retryTimer)
    const { fields, held } = payload()
    state.heldBack = held
    if (sameFields(fields, state.saved)) {
      state.status = held.length > 0 || Object.keys(state.errors).length > 0 ? 'invalid' : 'saved'
      persistLocal()
      return
    }
    state.status = 'saving'
    inflight = (async () => {
      try {
        const project = await options.save(fields)
        attempts = 0
        state.retryAt = 0
        base = project.updated_at
        state.saved = fields
        state.savedAt = new Date()
        options.onSaved?.(project)
        persistLocal()
        const rest = payload()
        state.heldBack = rest.held
        state.status = sameFields(rest.fields, state.saved)
          ? rest.held.length > 0 || Object.keys(state.errors).length > 0
            ? 'invalid'
            : 'saved'
          : 'pending'
        if (state.status === 'pending') again = true
      } catch (err) {
        if (isApiError(err, 'invalid') && Object.keys(err.fields).length > 0) {
          for (const [f, message] of Object.entries(err.fields)) {
            if ((PROJECT_FIELDS as readonly string[]).includes(f)) {
              refused[f as ProjectField] = fields[f as ProjectField]
              state.errors[f as ProjectField] = message
            }
          }
          state.status = 'invalid'
          // Send what remains acceptable straight away.
          again = !sameFields(payload().fields, state.saved)
        } else if (isApiError(err, 'conflict') || isApiError(err, 'not_found') || isApiError(err, 'forbidden')) {
          state.status = 'blocked'
          state.blockedReason = err instanceof Error ? err.message : ''
          stopped = true
        } else if (isApiError(err, 'unauthenticated')) {
          state.status = 'failed'
        } else {
          state.status = isApiError(err, 'network') ? 'offline' : 'failed'
          const wait = backoff(attempts++)
          state.retryAt = Date.now() + wait
          retryTimer = window.setTimeout(() => void run(), wait)
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

  /** flush saves now and resolves when everything that can be saved is saved; true when in sync. */
  async function flush(): Promise<boolean> {
    window.clearTimeout(timer)
    await run()
    while (inflight) await inflight
    return sameFields(state.fields, state.saved)
  }

  /** retryNow skips the wait after a failure. */
  function retryNow(): void {
    if (state.status === 'offline' || state.status === 'failed') void run()
  }

  /** adopt takes a project the server changed (submit, withdraw): its fields become the truth. */
  function adopt(project: Project): void {
    base = project.updated_at
    state.saved = pickFields(project)
    state.fields = pickFields(project)
    persistLocal()
    state.status = 'saved'
  }

  /** restore replaces the typed fields with a local draft (after a reload) and saves it. */
  function restore(draft: LocalDraft): void {
    state.fields = { ...draft.fields }
    changed()
  }

  /** discardLocal throws away unsaved typing and shows the server's fields again. */
  function discardLocal(): void {
    state.fields = { ...state.saved }
    for (const f of PROJECT_FIELDS) delete refused[f]
    state.errors = {}
    writeSetting(key, null)
    state.status = 'saved'
  }

  /** stop ends timers (the editor is closing); the local copy stays for next time. */
  function stop(): void {
    stopped = true
    window.clearTimeout(timer)
    window.clearTimeout(retryTimer)
  }

  /** start (re)enables saving after stop, e.g. when the project became editable again. */
  function start(): void {
    stopped = false
    state.blockedReason = ''
    if (state.status === 'blocked') state.status = 'saved'
  }

  return { state, changed, flush, retryNow, adopt, restore, discardLocal, stop, start, payload }
}

/** Autosave is what createAutosave returns. */
export type Autosave = ReturnType<typeof createAutosave>
