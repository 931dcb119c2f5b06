// Project media: resumable uploads in parts and the stored photos, videos and documents.
// The upload engine (components/media/uploader.ts) drives the upload calls.
import { api, type RequestOptions } from './client'

/** MediaKind is what a file is. */
export type MediaKind = 'image' | 'video' | 'document'

/** Processing is where a medium's background processing stands. */
export type Processing = 'none' | 'pending' | 'running' | 'done' | 'failed'

/** Upload is a resumable upload in progress. */
export interface Upload {
  upload_id: string
  project_id: number
  filename: string
  size: number
  /** kind is the claimed kind until part 1 arrives, then the sniffed one. */
  kind: MediaKind
  content_type: string
  chunk_size: number
  parts: number
  mode: 'proxy' | 'direct'
  /** received are the part numbers stored so far. */
  received: number[]
  complete: boolean
  expires_at: string
  created_at?: string
}

/** PresignedPart is a signed request to send one part straight to the object store. */
export interface PresignedPart {
  method: string
  url: string
  headers: Record<string, string>
  expires_at: string
}

/** Media is one stored file of a project, with expiring links (1 hour). */
export interface Media {
  id: number
  project_id: number
  kind: MediaKind
  filename: string
  content_type: string
  size: number
  processing: Processing
  progress: number
  error: string
  url: string
  download_url: string
  thumb_url: string
  poster_url: string
  playback_url: string
  links_expire_at: string
  created_at: string
  /**
   * withheld is set for an expert in a blind round while the copy without metadata is being made
   * (`processing`) or when none can be made (`unavailable`); the links are then empty.
   */
  withheld?: 'processing' | 'unavailable'
  notice?: string
}

/** MEDIA_LIMITS are the size caps per kind, in bytes. */
export const MEDIA_LIMITS: Record<MediaKind, number> = {
  image: 30 * 1024 * 1024,
  video: 2 * 1024 * 1024 * 1024,
  document: 100 * 1024 * 1024,
}

const IMAGE_EXT = ['.jpg', '.jpeg', '.png', '.gif', '.webp', '.heic', '.heif', '.avif']
const VIDEO_EXT = ['.mp4', '.m4v', '.mov', '.webm', '.mkv', '.3gp', '.avi']

/** claimedKind guesses a file's kind from its type and name, as the server does to pick the limit. */
export function claimedKind(contentType: string, filename: string): MediaKind {
  const ct = contentType.trim().toLowerCase()
  if (ct.startsWith('image/')) return 'image'
  if (ct.startsWith('video/')) return 'video'
  const dot = filename.lastIndexOf('.')
  const ext = dot >= 0 ? filename.slice(dot).toLowerCase() : ''
  if (IMAGE_EXT.includes(ext)) return 'image'
  if (VIDEO_EXT.includes(ext)) return 'video'
  return 'document'
}

/** ACCEPT is the file picker's filter: photos, videos and office documents. */
export const ACCEPT = [
  'image/*',
  'video/*',
  '.heic',
  '.heif',
  '.mov',
  '.mkv',
  '.pdf',
  '.doc',
  '.docx',
  '.ppt',
  '.pptx',
  '.xls',
  '.xlsx',
].join(',')

/** listMedia returns a project's media with fresh links. */
export async function listMedia(projectID: number, options?: RequestOptions): Promise<Media[]> {
  const res = await api.get<{ media: Media[] | null }>(`/api/v1/projects/${projectID}/media`, options)
  return res.media ?? []
}

/** getMedia returns one medium (poll it to follow processing). */
export function getMedia(id: number, options?: RequestOptions): Promise<Media> {
  return api.get<Media>(`/api/v1/media/${id}`, options)
}

/** deleteMedia removes a medium of an editable project. */
export function deleteMedia(id: number, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`/api/v1/media/${id}`, options)
}

/** listUploads returns a project's unfinished uploads, to resume after a reload. */
export async function listUploads(projectID: number, options?: RequestOptions): Promise<Upload[]> {
  const res = await api.get<{ uploads: Upload[] | null }>(`/api/v1/projects/${projectID}/uploads`, options)
  return res.uploads ?? []
}

/** createUpload starts a resumable upload (413 over the claimed kind's limit). */
export function createUpload(
  projectID: number,
  input: { filename: string; size: number; content_type?: string; mode?: 'proxy' | 'direct'; purpose?: 'application' | 'follow' },
  options?: RequestOptions,
): Promise<Upload> {
  return api.post<Upload>(`/api/v1/projects/${projectID}/uploads`, input, options)
}

/** getUpload returns an upload with the parts received so far. */
export function getUpload(id: string, options?: RequestOptions): Promise<Upload> {
  return api.get<Upload>(`/api/v1/uploads/${id}`, options)
}

/** cancelUpload removes an upload and its parts. */
export function cancelUpload(id: string, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`/api/v1/uploads/${id}`, options)
}

/** presignPart asks for a signed URL for part n (direct mode, n ≥ 2). */
export function presignPart(id: string, n: number, md5: string, options?: RequestOptions): Promise<PresignedPart> {
  return api.post<PresignedPart>(`/api/v1/uploads/${id}/parts/${n}/url`, { md5 }, options)
}

/** partDone records a part sent straight to the object store. */
export function partDone(id: string, n: number, etag: string, options?: RequestOptions): Promise<Upload> {
  return api.post<Upload>(`/api/v1/uploads/${id}/parts/${n}/done`, { etag }, options)
}

/** completeUpload joins the parts into a medium (422 fields.parts names missing parts). */
export function completeUpload(id: string, options?: RequestOptions): Promise<Media> {
  return api.post<Media>(`/api/v1/uploads/${id}/complete`, {}, options)
}

/** formatBytes shows a size as 1.5 MB / 812 KB / 2 GB (binary units, as the server's limits). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return ''
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const digits = v >= 100 || Number.isInteger(v) ? 0 : 1
  return `${v.toFixed(digits)} ${units[i]}`
}
