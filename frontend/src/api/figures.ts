// The office's overview of an edition (GET /api/v1/editions/{id}/figures, admins only) and the
// exports of each figure as CSV or Excel.
import { api, type RequestOptions } from './client'
import type { RoundStatus } from './rounds'

/** FigureCount is one bar: a key (unit id, category, status), its label and its count. */
export interface FigureCount {
  key: string
  label: string
  n: number
}

export interface RoundFigures {
  round_id: number
  name: string
  order: number
  status: RoundStatus
  projects: number
  assignments: number
  submitted: number
  drafts: number
}

export interface ExpertFigures {
  round_id: number
  expert_id: number
  name: string
  assigned: number
  submitted: number
  drafts: number
}

export interface EditionFigures {
  edition_id: number
  submissions: number
  by_county: FigureCount[]
  by_category: FigureCount[]
  eligibility: FigureCount[]
  rounds: RoundFigures[]
  experts: ExpertFigures[]
}

/** FIGURE_EXPORTS are the figures one may export. */
export const FIGURE_EXPORTS = ['county', 'category', 'eligibility', 'rounds', 'experts'] as const
export type FigureExport = (typeof FIGURE_EXPORTS)[number]

/** editionFigures reads every figure of an edition at once. */
export function editionFigures(editionID: number, options?: RequestOptions): Promise<EditionFigures> {
  return api.get<EditionFigures>(`/api/v1/editions/${editionID}/figures`, options)
}

/** figuresExportURL is the download link of one figure's table. */
export function figuresExportURL(editionID: number, what: FigureExport, format: 'csv' | 'xlsx'): string {
  return `/api/v1/editions/${editionID}/figures/export?what=${what}&format=${format}`
}
