import { describe, expect, test } from 'vitest'
import en from './en'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import zhCN from './zh-CN'
import { mergeMessages } from './merge'

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

const placeholders = (m: string) => [...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1] ?? '').sort().join()

describe('portal locales', () => {
  const zh = flatten(portalZhCN)
  const e = flatten(portalEn)

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

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [zhCN, portalZhCN],
      [en, portalEn],
    ] as const) {
      const b = flatten(base as unknown as Tree)
      const x = flatten(extra as unknown as Tree)
      for (const k of x.keys()) expect(b.has(k), `${k} is already in the base messages`).toBe(false)
      const merged = flatten(mergeMessages(base, extra) as unknown as Tree)
      expect(merged.size).toBe(b.size + x.size)
      expect(merged.get('portal.title')).toBe(b.get('portal.title'))
    }
  })
})
