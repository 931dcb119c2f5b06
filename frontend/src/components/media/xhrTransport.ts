// The browser's UploadTransport: JSON calls through the shared API client (silent: the media
// manager explains every failure in the file's row), part bodies with XMLHttpRequest because it
// reports upload progress and fetch does not.
import { api, ApiError, errorFromResponse } from '@/api/client'
import * as media from '@/api/media'
import { i18n } from '@/i18n'
import type { UploadTransport } from './uploader'

/** STALL_MS: a part request that makes no progress for this long is treated as a lost connection. */
const STALL_MS = 45_000

interface XhrResult {
  status: number
  text: string
  header(name: string): string | null
}

function send(
  method: string,
  url: string,
  body: ArrayBuffer,
  headers: Record<string, string>,
  onProgress: (sent: number) => void,
  signal: AbortSignal,
): Promise<XhrResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('aborted', 'AbortError'))
      return
    }
    const xhr = new XMLHttpRequest()
    let stall = 0
    const arm = () => {
      window.clearTimeout(stall)
      stall = window.setTimeout(() => {
        xhr.abort()
        cleanup()
        reject(new ApiError({ status: 0, code: 'network', message: 'the upload stalled' }))
      }, STALL_MS)
    }
    const onAbort = () => xhr.abort()
    const cleanup = () => {
      window.clearTimeout(stall)
      signal.removeEventListener('abort', onAbort)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    xhr.open(method, url)
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => {
      arm()
      onProgress(e.loaded)
    }
    xhr.onabort = () => {
      cleanup()
      reject(new DOMException('aborted', 'AbortError'))
    }
    xhr.onerror = () => {
      cleanup()
      reject(new ApiError({ status: 0, code: 'network', message: `${method} ${url}: no answer` }))
    }
    xhr.ontimeout = xhr.onerror
    xhr.onload = () => {
      cleanup()
      resolve({ status: xhr.status, text: xhr.responseText, header: (name) => xhr.getResponseHeader(name) })
    }
    arm()
    xhr.send(body)
  })
}

async function failure(res: XhrResult): Promise<ApiError> {
  if (res.status < 200 || res.status > 599) {
    return new ApiError({ status: 0, code: 'network', message: `status ${res.status}` })
  }
  const headers: Record<string, string> = {}
  const type = res.header('Content-Type')
  const retry = res.header('Retry-After')
  if (type) headers['Content-Type'] = type
  if (retry) headers['Retry-After'] = retry
  return errorFromResponse(new Response(res.text, { status: res.status, headers }))
}

const silent = { silent: true } as const

/** xhrTransport talks to the real server. */
export const xhrTransport: UploadTransport = {
  // A site visit's photos start through their own route (api/visits.ts visitTransport).
  create: (projectID, { purpose, ...input }) => media.createUpload(projectID, purpose === 'visit' ? input : { ...input, purpose }, silent),
  get: (id) => media.getUpload(id, silent),
  presign: (id, n, md5) => media.presignPart(id, n, md5, silent),
  done: (id, n, etag) => media.partDone(id, n, etag, silent),
  complete: (id) => media.completeUpload(id, silent),
  cancel: (id) => media.cancelUpload(id, silent),

  async putPart(id, n, body, md5, onProgress, signal) {
    const token = api.csrfToken
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': i18n.global.locale.value,
      'Content-Type': 'application/octet-stream',
      'Content-MD5': md5,
    }
    if (token) headers['X-CSRF-Token'] = token
    const res = await send('PUT', `/api/v1/uploads/${id}/parts/${n}`, body, headers, onProgress, signal)
    if (res.status >= 200 && res.status < 300) return JSON.parse(res.text) as media.Upload
    const err = await failure(res)
    if (err.code === 'unauthenticated' && token !== null && token === api.csrfToken) api.onUnauthenticated?.()
    throw err
  },

  async putDirect(part, body, onProgress, signal) {
    const res = await send(part.method || 'PUT', part.url, body, part.headers, onProgress, signal)
    if (res.status >= 200 && res.status < 300) {
      const etag = res.header('ETag')
      // Without the ETag (a store that does not expose it to pages) the part cannot be recorded:
      // send it through the server instead.
      if (!etag) throw new ApiError({ status: 0, code: 'network', message: 'the store hides the ETag' })
      return etag
    }
    throw new ApiError({
      status: res.status,
      code: res.status >= 500 ? 'unavailable' : 'invalid',
      message: `direct part upload answered ${res.status}`,
    })
  },
}
