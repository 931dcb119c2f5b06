import { describe, expect, it } from 'vitest'
import { loopProjects, progressPercent, type LoopProject } from './trackerLoop'

const p = (over: Partial<LoopProject>): LoopProject => ({
  id: 1, project_title: 't', unit_name: 'u', tier_name_zh: '十大项目', tier_name_en: 'Top Ten', status: 'active',
  progress: { done: 1, total: 3 }, next: null, photos: [], ...over,
})

describe('the tracker loop', () => {
  it('shows projects in implementation or completed that have a plan', () => {
    const list = [p({ id: 1 }), p({ id: 2, status: 'terminated' }), p({ id: 3, progress: { done: 0, total: 0 } }), p({ id: 4, status: 'completed' })]
    expect(loopProjects(list).map((x) => x.id)).toEqual([1, 4])
  })
  it('rounds progress to whole percent and caps it', () => {
    expect(progressPercent({ done: 1, total: 3 })).toBe(33)
    expect(progressPercent({ done: 3, total: 3 })).toBe(100)
    expect(progressPercent({ done: 4, total: 3 })).toBe(100)
    expect(progressPercent({ done: 0, total: 0 })).toBe(0)
  })
})
