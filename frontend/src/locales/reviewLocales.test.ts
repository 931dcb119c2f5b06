import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import en from './en'
import { mergeMessages } from './merge'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import reviewEn from './review.en'
import reviewZhCN from './review.zh-CN'
import zhCN from './zh-CN'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

const placeholders = (m: string) => [...new Set([...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1] ?? ''))].sort().join()

// The files whose messages live in review.*.ts.
const SOURCES = ['views/review', 'components/review', 'views/admin/rounds', 'views/results']

function sourceKeys(): Set<string> {
  const root = join(__dirname, '..')
  const keys = new Set<string>()
  for (const dir of SOURCES) {
    for (const name of readdirSync(join(root, dir))) {
      if (!/\.(vue|ts)$/.test(name) || name.endsWith('.test.ts')) continue
      const text = readFileSync(join(root, dir, name), 'utf8')
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) keys.add(m[1]!)
    }
  }
  return keys
}

describe('review locales', () => {
  const zh = flatten(reviewZhCN)
  const e = flatten(reviewEn)

  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expect([...e.keys()].sort()).toEqual([...zh.keys()].sort())
    for (const [k, v] of zh) {
      expect(placeholders(v), k).toBe(placeholders(e.get(k) ?? ''))
      expect(v.trim(), k).not.toBe('')
      expect(e.get(k)!.trim(), k).not.toBe('')
      expect(/[@|$]|\{(?!\w+\})/.test(v), k).toBe(false)
      expect(/[@|$]|\{(?!\w+\})/.test(e.get(k)!), k).toBe(false)
    }
  })

  test('merging adds keys and never replaces a base or portal message', () => {
    for (const [base, portal, extra] of [
      [zhCN, portalZhCN, reviewZhCN],
      [en, portalEn, reviewEn],
    ] as const) {
      const b = flatten(mergeMessages(base, portal) as unknown as Tree)
      const x = flatten(extra as unknown as Tree)
      for (const k of x.keys()) expect(b.has(k), `${k} is already in the base or portal messages`).toBe(false)
      const merged = flatten(mergeMessages(mergeMessages(base, portal), extra) as unknown as Tree)
      expect(merged.size).toBe(b.size + x.size)
      expect(merged.get('review.title')).toBe(b.get('review.title'))
    }
  })

  test('every literal key the review and rounds screens use exists', () => {
    const merged = flatten(mergeMessages(mergeMessages(zhCN, portalZhCN), reviewZhCN) as unknown as Tree)
    const missing = [...sourceKeys()].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
