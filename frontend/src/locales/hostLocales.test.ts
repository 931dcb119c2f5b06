import { describe, expect, test } from 'vitest'
import { AUDIENCE_MODES, PAIRINGS, SHOW_ACTIONS, SHOW_PHASES } from '@/api/liveEvents'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import hostEn from './host.en'
import hostZhCN from './host.zh-CN'
import { mergeMessages } from './merge'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import reviewEn from './review.en'
import reviewZhCN from './review.zh-CN'
import screenEn from './screen.en'
import screenZhCN from './screen.zh-CN'
import zhCN from './zh-CN'

// The folders whose messages live in host.*.ts.
const SOURCES = ['views/host', 'views/judge', 'views/admin/live']
const NAMESPACES = ['hostConsole', 'tablet', 'liveAdmin']

const base = (lang: 'zh' | 'en') =>
  lang === 'zh'
    ? mergeMessages(mergeMessages(mergeMessages(zhCN, portalZhCN), reviewZhCN), screenZhCN)
    : mergeMessages(mergeMessages(mergeMessages(en, portalEn), reviewEn), screenEn)

describe('host locales', () => {
  const zh = flatten(hostZhCN)
  const e = flatten(hostEn)

  test('only the host console, tablet and live setup namespaces', () => {
    expect(Object.keys(hostZhCN).sort()).toEqual([...NAMESPACES].sort())
    expect(Object.keys(hostEn).sort()).toEqual([...NAMESPACES].sort())
  })

  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(hostZhCN, hostEn)
  })

  test('merging adds keys and never replaces another file’s message', () => {
    for (const lang of ['zh', 'en'] as const) {
      const extra = lang === 'zh' ? hostZhCN : hostEn
      expectMergeAddsOnly(base(lang), extra, mergeMessages(base(lang), extra))
    }
  })

  test('every literal key the host, tablet and live setup screens use exists', () => {
    const merged = flatten(mergeMessages(base('zh'), hostZhCN))
    const missing = [...usedKeys(SOURCES, [], NAMESPACES)].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })

  test('the keys built at run time exist', () => {
    const need: string[] = []
    for (const a of SHOW_ACTIONS) need.push(`hostConsole.action.${a}`)
    for (const a of ['reveal', 'finish', 'reseal']) need.push(`hostConsole.confirm.${a}`, `hostConsole.confirm.${a}Title`)
    for (const p of SHOW_PHASES) need.push(`hostConsole.phase.${p}`, `tablet.phase.${p}`)
    need.push('tablet.phase.paused')
    for (const s of ['connecting', 'online', 'offline']) need.push(`hostConsole.connection.${s}`)
    for (const s of ['done', 'current', 'next', 'later']) need.push(`hostConsole.programme.status.${s}`)
    for (const s of ['not_found', 'forbidden', 'error']) need.push(`hostConsole.load.${s}`, `hostConsole.sheet.${s}`)
    for (const s of ['forbidden', 'not_found', 'error']) need.push(`tablet.load.${s}`)
    for (const s of ['open', 'pending', 'submitted', 'notice', 'closed']) need.push(`tablet.status.${s}`)
    for (const s of ['closed', 'invalid', 'refused']) need.push(`tablet.notice.${s}`)
    for (const m of AUDIENCE_MODES) need.push(`liveAdmin.audience.${m}`)
    for (const p of PAIRINGS) need.push(`liveAdmin.pairing.${p}`)
    need.push('tablet.title', 'hostConsole.sheet.title', 'liveAdmin.title', 'liveAdmin.nav')
    for (const lang of [zh, e]) {
      expect(need.filter((k) => !lang.has(k))).toEqual([])
    }
  })
})
