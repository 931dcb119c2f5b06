// The funded projects the big screen shows between sessions (the public tracker, no login):
// photo, tier, a progress bar by milestones, the next milestone and its date.

export interface LoopProject {
  id: number
  project_title: string
  unit_name: string
  tier_name_zh: string
  tier_name_en: string
  status: string
  progress: { done: number; total: number }
  next: { title: string; due_on: string } | null
  photos: { url: string; alt: string }[]
}

/** loopProjects keeps the projects worth a slide: in implementation or completed, with a plan. */
export function loopProjects(list: LoopProject[]): LoopProject[] {
  return list.filter((p) => (p.status === 'active' || p.status === 'completed') && p.progress.total > 0)
}

/** progressPercent is the share of milestones done, 0–100, whole. */
export function progressPercent(p: { done: number; total: number }): number {
  if (p.total <= 0) return 0
  return Math.round((Math.min(p.done, p.total) / p.total) * 100)
}

/** fetchLoopProjects reads the public tracker; on failure the loop shows the finalists only. */
export async function fetchLoopProjects(signal?: AbortSignal): Promise<LoopProject[]> {
  const res = await fetch('/api/v1/tracker', { headers: { Accept: 'application/json' }, signal })
  if (!res.ok) return []
  const body = (await res.json()) as { projects: LoopProject[] | null }
  return loopProjects(body.projects ?? [])
}
