import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import notifyEn from './notify.en'
import notifyZhCN from './notify.zh-CN'
import { mergeMessages } from './merge'
import zhCN from './zh-CN'
import { NOTIFICATION_KINDS } from '@/api/notifications'

describe('notification locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(notifyZhCN, notifyEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [zhCN, notifyZhCN],
      [en, notifyEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
      expect(flatten(merged).get('notify.title')).toBe(flatten(extra).get('notify.title'))
    }
  })

  test('every kind has its name in both languages', () => {
    for (const tree of [notifyZhCN, notifyEn]) {
      const keys = flatten(tree)
      for (const k of NOTIFICATION_KINDS) expect(keys.has(`notify.kind.${k.replace('.', '_')}`), k).toBe(true)
    }
  })
})

// The files whose messages live in notify.*.ts.
const DIRS = ['views/notify']
const FILES = ['components/NotificationBell.vue', 'views/admin/submissions/ReturnProjectDialog.vue', 'views/admin/components/UserFormDialog.vue']

describe('notification screens', () => {
  test('every literal key the notification screens use exists', () => {
    const merged = flatten(mergeMessages(zhCN, notifyZhCN))
    const missing = [...usedKeys(DIRS, FILES, ['notify'])].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
