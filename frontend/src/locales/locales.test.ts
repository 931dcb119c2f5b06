import { describe, expect, test } from 'vitest'
import en from './en'
import zhCN from './zh-CN'

type Tree = { [key: string]: string | Tree }

/** flatten maps every leaf's dotted key to its message. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort()
}

const locales: Record<string, Map<string, string>> = {
  'zh-CN': flatten(zhCN),
  en: flatten(en),
}

describe('locales', () => {
  test('zh-CN and en have exactly the same keys', () => {
    const zhKeys = [...locales['zh-CN']!.keys()].sort()
    const enKeys = [...locales.en!.keys()].sort()
    expect(enKeys.filter((k) => !zhKeys.includes(k)), 'keys only in en').toEqual([])
    expect(zhKeys.filter((k) => !enKeys.includes(k)), 'keys only in zh-CN').toEqual([])
  })

  test.each(Object.keys(locales))('%s has no empty message', (name) => {
    const empty = [...locales[name]!].filter(([, v]) => v.trim() === '').map(([k]) => k)
    expect(empty).toEqual([])
  })

  test('a message has the same placeholders in both locales', () => {
    const mismatched = [...locales['zh-CN']!]
      .filter(([key, zh]) => placeholders(zh).join() !== placeholders(locales.en!.get(key) ?? '').join())
      .map(([key]) => key)
    expect(mismatched).toEqual([])
  })

  test.each(Object.keys(locales))('%s uses no vue-i18n syntax by accident', (name) => {
    // `@` starts a linked message and `|` separates plural forms; `{` may only open a placeholder.
    const suspicious = [...locales[name]!]
      .filter(([, v]) => /[@|$]|\{(?!\w+\})/.test(v))
      .map(([k]) => k)
    expect(suspicious).toEqual([])
  })
})
