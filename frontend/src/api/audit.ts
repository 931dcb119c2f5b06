// The hash-chained audit log, for administrators: /api/v1/audit.
import { api, type RequestOptions } from './client'

/** AuditEntry is one row of the audit log. */
export interface AuditEntry {
  id: number
  /** at is RFC 3339 in UTC. */
  at: string
  actor_id: number | null
  actor_name: string
  action: string
  entity: string
  entity_id: number | string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  ip: string
  prev_hash: string
  hash: string
}

/** AuditPage is one page of the log, newest first. */
export interface AuditPage {
  entries: AuditEntry[]
  /** next_before_id is the cursor of the next (older) page, null at the start of the log. */
  next_before_id: number | null
}

/** AuditVerification is the result of checking the hash chain. */
export interface AuditVerification {
  ok: boolean
  checked: number
  first_broken: { id: number; reason: string } | null
  head_hash: string
}

/** listAudit loads up to limit entries older than beforeID (the newest when beforeID is null). */
export async function listAudit(beforeID: number | null, limit = 50, options?: RequestOptions): Promise<AuditPage> {
  const params = new URLSearchParams({ limit: String(limit) })
  if (beforeID !== null) params.set('before_id', String(beforeID))
  const res = await api.get<AuditPage>(`/api/v1/audit?${params.toString()}`, options)
  return { entries: res.entries ?? [], next_before_id: res.next_before_id ?? null }
}

/** verifyAudit re-computes the whole hash chain on the server. */
export function verifyAudit(options?: RequestOptions): Promise<AuditVerification> {
  return api.get<AuditVerification>('/api/v1/audit/verify', options)
}
