// The sections of the project form, in the order the editor and the detail pages show them.
import type { ProjectField } from '@/api/projects'

/** SectionID names a section; its label is `portal.sections.<id>`. */
export type SectionID = 'basic' | 'problem' | 'approach' | 'results' | 'replicability' | 'sustainability' | 'media'

/** Section is one part of the form and the fields it holds. */
export interface Section {
  id: SectionID
  fields: ProjectField[]
}

/** SECTIONS lists the form's sections; `media` has no text fields (it is the files). */
export const SECTIONS: readonly Section[] = [
  { id: 'basic', fields: ['title', 'category', 'summary', 'start_date', 'contact_name', 'contact_phone'] },
  { id: 'problem', fields: ['problem'] },
  { id: 'approach', fields: ['approach'] },
  { id: 'results', fields: ['results'] },
  { id: 'replicability', fields: ['replicability'] },
  { id: 'sustainability', fields: ['sustainability'] },
  { id: 'media', fields: [] },
]

/** sectionOf returns the section that holds a field ("media" for the files). */
export function sectionOf(field: string): SectionID {
  return SECTIONS.find((s) => (s.fields as string[]).includes(field))?.id ?? 'media'
}
