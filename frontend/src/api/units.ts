// The unit tree (申报单位): /api/v1/units. Everyone signed in may list; administrators write.
import { api, type RequestOptions, type UploadOptions } from './client'

/** UNIT_KINDS lists the kinds of unit in display order. */
export const UNIT_KINDS = ['city', 'county', 'town', 'village', 'department', 'organisation', 'external'] as const

/** UnitKind is one of UNIT_KINDS. */
export type UnitKind = (typeof UNIT_KINDS)[number]

/** Unit is one node of the unit tree. */
export interface Unit {
  id: number
  parent_id: number | null
  kind: UnitKind
  name: string
  contact_name: string
  contact_phone: string
  /** path is the names from the root down to this unit, itself included. */
  path: string[]
}

/** UnitInput is what an administrator sends to create or change a unit (all fields, always). */
export interface UnitInput {
  parent_id: number | null
  kind: UnitKind
  name: string
  contact_name: string
  contact_phone: string
}

/** ImportResult is the body of a successful import. */
export interface ImportResult {
  imported: number
}

/** listUnits loads every unit. */
export async function listUnits(options?: RequestOptions): Promise<Unit[]> {
  const res = await api.get<{ units: Unit[] | null }>('/api/v1/units', options)
  return res.units ?? []
}

/** createUnit adds a unit (201). */
export function createUnit(input: UnitInput, options?: RequestOptions): Promise<Unit> {
  return api.post<Unit>('/api/v1/units', input, options)
}

/** updateUnit changes a unit; every field is sent. */
export function updateUnit(id: number, input: UnitInput, options?: RequestOptions): Promise<Unit> {
  return api.patch<Unit>(`/api/v1/units/${id}`, input, options)
}

/** deleteUnit removes a unit (409 while it has sub-units or users). */
export function deleteUnit(id: number, options?: RequestOptions): Promise<void> {
  return api.delete<void>(`/api/v1/units/${id}`, options)
}

/** importUnits uploads a .csv or .xlsx file of units; 422 lists the problems per row. */
export function importUnits(file: File, options?: UploadOptions): Promise<ImportResult> {
  const form = new FormData()
  form.append('file', file)
  return api.upload<ImportResult>('/api/v1/units/import', form, options)
}
