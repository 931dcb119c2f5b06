// The typed HTTP client for the Leitai API (/api/v1). It speaks the server's error contract
// `{"error":{"code","message","fields"}}`, sends the CSRF token on every mutating request and shows
// failures to the user through ElMessage unless the caller handles them itself (`silent`). Element
// Plus is loaded only when a message is shown, so pages without it (the big screen, the phone vote
// page) never download it.
import { i18n } from '@/i18n/core'

/**
 * ApiErrorCode lists the codes of the server's error contract, plus two the client produces itself:
 * `network` (no response at all) and `unknown` (a response that does not follow the contract).
 */
export type ApiErrorCode =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | 'network'
  | 'unknown'

const KNOWN_CODES: readonly string[] = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'unsupported_media',
  'rate_limited',
  'unavailable',
  'internal',
  'network',
  'unknown',
]

// When a response has no usable error body, its status tells the code.
const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media',
  422: 'invalid',
  429: 'rate_limited',
  500: 'internal',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
}

/** ApiError is a failed API call, with the server's error code and per-field problems. */
export class ApiError extends Error {
  /** status is the HTTP status, 0 when no response arrived. */
  readonly status: number
  /** code is the contract's error code. */
  readonly code: ApiErrorCode
  /** fields maps a request field to its problem, for `invalid`. */
  readonly fields: Readonly<Record<string, string>>
  /** retryAfter is the number of seconds from a `Retry-After` header, or null. */
  readonly retryAfter: number | null

  constructor(init: {
    status: number
    code: ApiErrorCode
    message: string
    fields?: Record<string, string>
    retryAfter?: number | null
  }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.retryAfter = init.retryAfter ?? null
  }
}

/** isApiError reports whether err is an ApiError, optionally with the given code. */
export function isApiError(err: unknown, code?: ApiErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code)
}

/** RequestOptions tune one request. */
export interface RequestOptions {
  /**
   * silent suppresses the error message shown to the user: true for every error, or a predicate
   * for the errors the caller handles itself. The promise still rejects with the ApiError.
   */
  silent?: boolean | ((err: ApiError) => boolean)
  /** headers are extra request headers. */
  headers?: Record<string, string>
  /** signal aborts the request. */
  signal?: AbortSignal
}

/** ApiClientOptions configure an ApiClient; everything has a browser default. */
export interface ApiClientOptions {
  /** baseURL is prefixed to every path; default '' (same origin). */
  baseURL?: string
  /** fetch is the fetch implementation; default the global one. */
  fetch?: typeof fetch
  /** notify shows an error to the user; default an ElMessage in the current locale. */
  notify?: (err: ApiError) => void
  /** language returns the value of the Accept-Language header; default the app's locale. */
  language?: () => string
  /** xhr makes the XMLHttpRequest of an upload (which reports progress, unlike fetch). */
  xhr?: () => XMLHttpRequest
}

/** UploadOptions tune one upload: those of a request, plus progress reports. */
export interface UploadOptions extends RequestOptions {
  /** onProgress receives the share of the body sent so far, 0…1. */
  onProgress?: (fraction: number) => void
}

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** ApiClient performs JSON requests against the Leitai API. */
export class ApiClient {
  /** csrfToken is sent as X-CSRF-Token on mutating requests; the session store keeps it current. */
  csrfToken: string | null = null
  /**
   * onUnauthenticated is called when a request made within the current session answers 401 (the
   * session ended). A 401 to a request sent before the current sign-in (no token, or an older
   * one) says nothing about the current session and is not reported.
   */
  onUnauthenticated: (() => void) | null = null

  private readonly baseURL: string
  private readonly fetchImpl: typeof fetch
  private readonly notify: (err: ApiError) => void
  private readonly language: () => string
  private readonly makeXHR: () => XMLHttpRequest

  constructor(options: ApiClientOptions = {}) {
    this.baseURL = options.baseURL ?? ''
    // Bound so that calling it as a method does not lose `window` ("Illegal invocation").
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.notify = options.notify ?? showApiError
    this.language = options.language ?? (() => i18n.global.locale.value)
    this.makeXHR = options.xhr ?? (() => new XMLHttpRequest())
  }

  /** get performs a GET request and returns the decoded JSON body. */
  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, undefined, options)
  }

  /** post performs a POST request with a JSON (or FormData/Blob) body. */
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, body, options)
  }

  /** put performs a PUT request. */
  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, body, options)
  }

  /** patch performs a PATCH request. */
  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, body, options)
  }

  /** delete performs a DELETE request. */
  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, undefined, options)
  }

  /**
   * request performs one API call. It resolves with the decoded JSON body (undefined for an empty
   * body) and rejects with an ApiError, which it has shown to the user unless `silent` says not to.
   */
  async request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const upper = method.toUpperCase()
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': this.language(),
      ...options.headers,
    }
    let payload: BodyInit | undefined
    if (body instanceof FormData || body instanceof Blob) {
      payload = body
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    if (MUTATING_METHODS.has(upper) && this.csrfToken) {
      headers['X-CSRF-Token'] = this.csrfToken
    }
    const sessionToken = this.csrfToken

    let response: Response
    try {
      response = await this.fetchImpl(this.baseURL + path, {
        method: upper,
        headers,
        body: payload,
        credentials: 'same-origin',
        signal: options.signal,
      })
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
      throw this.fail(new ApiError({ status: 0, code: 'network', message: String(cause) }), options)
    }

    if (!response.ok) {
      const err = await errorFromResponse(response)
      if (err.code === 'unauthenticated') this.sessionEnded(sessionToken)
      throw this.fail(err, options)
    }
    return (await decodeBody(response)) as T
  }

  /**
   * upload POSTs a multipart form with XMLHttpRequest so that the caller can show progress. It
   * follows the same contract as request: the CSRF header, the error body, `silent`.
   */
  upload<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = this.makeXHR()
      xhr.open('POST', this.baseURL + path)
      xhr.setRequestHeader('Accept', 'application/json')
      xhr.setRequestHeader('Accept-Language', this.language())
      for (const [name, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(name, value)
      const sessionToken = this.csrfToken
      if (sessionToken) xhr.setRequestHeader('X-CSRF-Token', sessionToken)
      if (options.onProgress) {
        const report = options.onProgress
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) report(event.loaded / event.total)
        }
      }
      if (options.signal) {
        const signal = options.signal
        if (signal.aborted) {
          reject(new DOMException('The upload was aborted.', 'AbortError'))
          return
        }
        signal.addEventListener('abort', () => xhr.abort(), { once: true })
      }
      xhr.onabort = () => reject(new DOMException('The upload was aborted.', 'AbortError'))
      xhr.onerror = () =>
        reject(this.fail(new ApiError({ status: 0, code: 'network', message: 'upload failed' }), options))
      xhr.onload = () => {
        const headers: Record<string, string> = {}
        const type = xhr.getResponseHeader('Content-Type')
        const retry = xhr.getResponseHeader('Retry-After')
        if (type) headers['Content-Type'] = type
        if (retry) headers['Retry-After'] = retry
        const status = xhr.status
        if (status < 200 || status > 599) {
          reject(this.fail(new ApiError({ status: 0, code: 'network', message: `status ${status}` }), options))
          return
        }
        const body = status === 204 || status === 205 || status === 304 ? null : xhr.responseText
        const response = new Response(body, { status, statusText: xhr.statusText, headers })
        if (response.ok) {
          options.onProgress?.(1)
          decodeBody(response).then((value) => resolve(value as T), reject)
          return
        }
        void errorFromResponse(response).then((err) => {
          if (err.code === 'unauthenticated') this.sessionEnded(sessionToken)
          reject(this.fail(err, options))
        })
      }
      xhr.send(form)
    })
  }

  private sessionEnded(sessionToken: string | null): void {
    if (sessionToken !== null && sessionToken === this.csrfToken) this.onUnauthenticated?.()
  }

  private fail(err: ApiError, options: RequestOptions): ApiError {
    const silent = typeof options.silent === 'function' ? options.silent(err) : options.silent === true
    if (!silent) this.notify(err)
    return err
  }
}

async function decodeBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined
  const text = await response.text()
  if (text === '') return undefined
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.includes('json')) return text
  return JSON.parse(text) as unknown
}

/** errorFromResponse turns a failed response into an ApiError, following the error contract. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
  let body: unknown = null
  try {
    body = JSON.parse(await response.text())
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): fall back to the status.
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : null
  if (error && typeof error.code === 'string' && KNOWN_CODES.includes(error.code)) {
    return new ApiError({
      status: response.status,
      code: error.code as ApiErrorCode,
      message: typeof error.message === 'string' ? error.message : '',
      fields: isRecord(error.fields) ? stringFields(error.fields) : {},
      retryAfter,
    })
  }
  return new ApiError({
    status: response.status,
    code: CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'internal' : 'unknown'),
    message: response.statusText,
    retryAfter,
  })
}

/** parseRetryAfter reads a Retry-After header (seconds or an HTTP date) as whole seconds. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.max(0, Math.ceil((at - now) / 1000))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringFields(fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(fields)) out[key] = String(value)
  return out
}

/**
 * apiErrorMessage returns the text to show for err in the current locale. The server's own message
 * is not shown because it may be in the other language; callers that need detail use err.fields.
 */
export function apiErrorMessage(err: ApiError): string {
  const t = i18n.global.t
  switch (err.code) {
    case 'rate_limited':
      return err.retryAfter !== null
        ? t('errors.rate_limitedWait', { seconds: err.retryAfter })
        : t('errors.rate_limited')
    case 'unknown':
      return t('errors.unknown', { status: err.status })
    default:
      return t(`errors.${err.code}`)
  }
}

/** showApiError shows err to the user as an ElMessage. */
export function showApiError(err: ApiError): void {
  const message = apiErrorMessage(err)
  void Promise.all([
    import('element-plus/es/components/message/index'),
    import('element-plus/es/components/message/style/css'),
  ]).then(([{ ElMessage }]) => ElMessage({ type: 'error', message, grouping: true, showClose: true }))
}

/** api is the app's shared client. */
export const api = new ApiClient()
