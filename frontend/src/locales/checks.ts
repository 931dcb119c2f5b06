// Shared checks for the locale tests: every area keeps its messages in a file pair of its own
// (portal, review, screen, host) merged into the base messages, and each pair is tested the same way.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'

/** Tree is a message file: nested objects of strings. */
export type Tree = { [key: string]: string | Tree }

/** flatten returns a message tree as dotted keys → messages. */
export function flatten(tree: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree as Tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

/** placeholders lists a message's {named} placeholders, sorted and de-duplicated. */
export const placeholders = (m: string): string =>
  [...new Set([...m.matchAll(/\{(\w+)\}/g)].map((x) => x[1] ?? ''))].sort().join()

/** expectParity checks two languages have the same keys and placeholders, none empty, no stray syntax. */
export function expectParity(zhTree: object, enTree: object): void {
  const zh = flatten(zhTree)
  const en = flatten(enTree)
  expect([...en.keys()].sort()).toEqual([...zh.keys()].sort())
  for (const [k, v] of zh) {
    const e = en.get(k) ?? ''
    expect(placeholders(v), k).toBe(placeholders(e))
    expect(v.trim(), k).not.toBe('')
    expect(e.trim(), k).not.toBe('')
    // vue-i18n gives @, | and $ meanings, and a lone brace breaks the message compiler.
    expect(/[@|$]|\{(?!\w+\})/.test(v), k).toBe(false)
    expect(/[@|$]|\{(?!\w+\})/.test(e), k).toBe(false)
  }
}

/** expectMergeAddsOnly checks merging extra into base adds keys and replaces none. */
export function expectMergeAddsOnly(base: object, extra: object, merged: object): void {
  const b = flatten(base)
  const x = flatten(extra)
  for (const k of x.keys()) expect(b.has(k), `${k} is already in another message file`).toBe(false)
  expect(flatten(merged).size).toBe(b.size + x.size)
}

/**
 * usedKeys reads the sources of an area (folders and single files under src/, tests excluded) and
 * returns the literal keys given to t(), plus quoted keys in the area's namespaces (keys kept in
 * plain strings and looked up later).
 */
export function usedKeys(dirs: string[], files: string[], namespaces: string[]): Set<string> {
  const root = join(__dirname, '..')
  const texts: string[] = files.map((f) => readFileSync(join(root, f), 'utf8'))
  for (const dir of dirs) {
    for (const name of readdirSync(join(root, dir))) {
      if (!/\.(vue|ts)$/.test(name) || name.endsWith('.test.ts')) continue
      texts.push(readFileSync(join(root, dir, name), 'utf8'))
    }
  }
  const quoted = new RegExp(`'((?:${namespaces.join('|')})\\.[a-zA-Z0-9_.]+)'`, 'g')
  const keys = new Set<string>()
  for (const text of texts) {
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) keys.add(m[1]!)
    for (const m of text.matchAll(quoted)) keys.add(m[1]!)
  }
  return keys
}
