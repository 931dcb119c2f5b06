// The page-wide list of uploads. It outlives the media manager, so a file keeps uploading while
// the user looks at another page of the app; only closing or reloading the tab stops it (and the
// page asks first). One file sends at a time, each with up to three parts in flight.
import { computed, reactive, watch, type ComputedRef } from 'vue'
import type { Upload } from '@/api/media'
import { UploadTask, type FileLike, type UploadPurpose, type UploadTransport } from './uploader'
import { xhrTransport } from './xhrTransport'

// Reactive proxies of the tasks: the engine mutates its own fields, the rows re-render.
const tasks = reactive([]) as UploadTask[]
let listening = false

function listen(): void {
  if (listening || typeof window === 'undefined') return
  listening = true
  // The browser says the network is back: do not wait for the next poll.
  window.addEventListener('online', () => {
    for (const task of tasks) task.retryNow()
  })
  window.addEventListener('beforeunload', (event) => {
    if (tasks.some((task) => task.active)) {
      event.preventDefault()
      event.returnValue = ''
    }
  })
}

function pump(): void {
  if (tasks.some((task) => task.state === 'uploading' || task.state === 'completing')) return
  const next = tasks.find((task) => task.state === 'queued' && task.file)
  if (next) void next.start()
}

// Whenever a task stops (done, failed, paused, offline), the next file may go.
watch(() => tasks.map((task) => task.state).join(), pump)

/** tasksFor lists the uploads of a project (every state but cancelled). */
export function tasksFor(projectID: () => number, purpose: UploadPurpose = 'application'): ComputedRef<UploadTask[]> {
  return computed(() => tasks.filter((task) => task.projectID === projectID() && task.purpose === purpose && task.state !== 'cancelled'))
}

/** anyActive reports whether some upload still needs the page open. */
export const anyActive = computed(() => tasks.some((task) => task.active))

/**
 * enqueue adds a file. When it is the file of an unfinished upload of the project (same name and
 * size), that upload continues instead; `resumed` is then true. transport is the server's (a
 * site visit's photos start through their own route, api/visits.ts).
 */
export function enqueue(
  projectID: number,
  file: FileLike,
  purpose: UploadPurpose = 'application',
  transport: UploadTransport = xhrTransport,
): { task: UploadTask; resumed: boolean } {
  listen()
  const waiting = tasks.find((task) => task.projectID === projectID && task.purpose === purpose && task.state === 'needsFile' && task.matches(file))
  if (waiting) {
    waiting.attach(file)
    pump()
    return { task: waiting, resumed: true }
  }
  const task = reactive(new UploadTask({ projectID, file, transport, purpose })) as UploadTask
  tasks.push(task)
  // Sniffed at once, not when its turn comes: a file the server would refuse says so straight
  // away, with no upload begun, and an accepted one shows its real kind while it waits.
  void task.check()
  pump()
  return { task, resumed: false }
}

/** adoptUnfinished lists a project's unfinished uploads (after a reload) that are not known yet. */
export function adoptUnfinished(projectID: number, uploads: Upload[]): void {
  listen()
  for (const up of uploads) {
    if (tasks.some((task) => task.uploadID === up.upload_id)) continue
    tasks.push(reactive(new UploadTask({ projectID, upload: up, transport: xhrTransport })) as UploadTask)
  }
}

/** resume continues a paused or waiting task (after the others, one at a time). */
export function resume(task: UploadTask): void {
  if (task.state === 'paused' || task.state === 'offline' || task.state === 'storage') task.state = 'queued'
  pump()
}

/** pause stops a task and lets the next file go. */
export function pause(task: UploadTask): void {
  task.pause()
  pump()
}

/** attachFile gives a task waiting after a reload its file; false when it is another file. */
export function attachFile(task: UploadTask, file: FileLike): boolean {
  if (!task.attach(file)) return false
  pump()
  return true
}

/** cancel stops a task, removes its upload from the server and forgets it. */
export async function cancel(task: UploadTask): Promise<void> {
  try {
    await task.cancel()
  } finally {
    forget(task)
    pump()
  }
}

/** forget removes a finished or failed task from the list. */
export function forget(task: UploadTask): void {
  const i = tasks.indexOf(task)
  if (i >= 0) tasks.splice(i, 1)
}
