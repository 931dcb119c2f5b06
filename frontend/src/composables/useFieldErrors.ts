// Per-field problems from the server (`error.fields` of a 422 or 409), shown next to form fields.
import { reactive } from 'vue'
import { isApiError } from '@/api/client'
import { translateFieldMessage } from '@/fieldMessages'

/** useFieldErrors keeps the server's field problems for one form. */
export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})

  /** clear forgets every problem (before a new submission). */
  function clear(): void {
    for (const key of Object.keys(errors)) delete errors[key]
  }

  /**
   * take records err's fields, renaming them through alias (server name → form field). It returns
   * true when err had fields to show, so the caller knows the form explains the failure.
   */
  function take(err: unknown, alias: Record<string, string> = {}): boolean {
    clear()
    if (!isApiError(err)) return false
    let any = false
    for (const [key, message] of Object.entries(err.fields)) {
      errors[alias[key] ?? key] = message
      any = true
    }
    return any
  }

  /**
   * of returns the problem of one field in the user's language, or '' (el-form-item's `error`
   * prop shows it). Translated on every call, so it follows a language switch.
   */
  function of(field: string): string {
    const message = errors[field]
    return message ? translateFieldMessage(message) : ''
  }

  return { errors, clear, take, of }
}

/** RowError is one problem of an import file. */
export interface RowError {
  /** row is the line number in the file, or null for a problem of the whole file. */
  row: number | null
  /** where is the key as the server sent it ("row 3", "file", "header"). */
  where: string
  message: string
}

/** rowErrors turns an import's `fields` ({"row 3": "…"}) into a list sorted by row. */
export function rowErrors(fields: Readonly<Record<string, string>>): RowError[] {
  return Object.entries(fields)
    .map(([where, message]) => {
      const match = /^(?:row|行|第)?\s*(\d+)\s*行?$/i.exec(where.trim())
      return { row: match ? Number(match[1]) : null, where, message }
    })
    .sort((a, b) => {
      if (a.row === null && b.row === null) return a.where.localeCompare(b.where)
      if (a.row === null) return -1
      if (b.row === null) return 1
      return a.row - b.row
    })
}
