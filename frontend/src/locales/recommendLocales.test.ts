import { describe, expect, test } from 'vitest'
import { expectMergeAddsOnly, expectParity, flatten, usedKeys } from './checks'
import en from './en'
import { mergeMessages } from './merge'
import portalEn from './portal.en'
import portalZhCN from './portal.zh-CN'
import recommendEn from './recommend.en'
import recommendZhCN from './recommend.zh-CN'
import notifyZhCN from './notify.zh-CN'
import zhCN from './zh-CN'
import { PROJECT_STATUSES } from '@/api/projects'

const FILES = [
  'components/project/RecommendationInfo.vue',
  'views/admin/editions/RecommendSettingsFields.vue',
  'views/admin/submissions/SubmissionsView.vue',
  'views/admin/submissions/ProjectDetail.vue',
  'views/portal/PortalHome.vue',
  'views/portal/ProjectEditor.vue',
]

describe('recommendation locales', () => {
  test('the same keys and placeholders in both languages, none empty, no stray syntax', () => {
    expectParity(recommendZhCN, recommendEn)
  })

  test('merging adds keys and never replaces one of the base messages', () => {
    for (const [base, extra] of [
      [mergeMessages(zhCN, portalZhCN), recommendZhCN],
      [mergeMessages(en, portalEn), recommendEn],
    ] as const) {
      const merged = mergeMessages(base, extra)
      expectMergeAddsOnly(base, extra, merged)
    }
  })

  test('every project status has its name in both languages', () => {
    for (const [base, extra] of [
      [mergeMessages(zhCN, portalZhCN), recommendZhCN],
      [mergeMessages(en, portalEn), recommendEn],
    ] as const) {
      const keys = flatten(mergeMessages(base, extra))
      for (const s of PROJECT_STATUSES) expect(keys.has(`portal.status.${s}`), s).toBe(true)
    }
  })

  test('every literal key the recommendation screens use exists', () => {
    const merged = flatten(mergeMessages(mergeMessages(mergeMessages(zhCN, portalZhCN), notifyZhCN), recommendZhCN))
    const own = usedKeys(['views/recommend'], [], ['recommend'])
    // The screens the recommendation step adds to: only their recommend.* keys are this area's.
    const added = [...usedKeys([], FILES, ['recommend'])].filter((k) => k.startsWith('recommend.'))
    expect(added.length).toBeGreaterThan(5)
    const missing = [...own, ...added].filter((k) => !merged.has(k))
    expect(missing).toEqual([])
  })
})
