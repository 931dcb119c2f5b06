// The big screen's reveal at the limits of the panel: nine judges, one of them giving 100.00 (the
// widest score), at 1920×1080 and at 4K. Every judge's score — with its red strike-through — must
// stay inside its own tile, every tile inside its card, and stage text must be readable from 30 m
// (at least 32 px at 1080p, scaled at 4K). Set up through the API: the host enters each seat's
// score on the judge's behalf (with a reason), then seals and reveals.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, png, uploadPNG } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
let browser

before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const password = `stage-pass-${suffix}`

async function revealedEvent(admin, JUDGES) {
  const now = Date.now()
  const edition = await admin('POST', '/api/v1/editions', {
    year: 2000 + Math.floor(Math.random() * 20),
    title: `大屏测试届次${JUDGES}${suffix}`,
    categories: ['基层治理'],
    opens_at: new Date(now - 3600_000).toISOString(),
    closes_at: new Date(now + 7 * 86400_000).toISOString(),
    grace_minutes: 0,
    quota_per_unit: 2,
    status: 'active',
  })
  const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `大屏市${JUDGES}${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
  const projects = []
  for (const [i, title] of ['“红色网格+”多元共治工作法推动基层治理规范化', '长者饭堂'].entries()) {
    const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `大屏${JUDGES}-${i}区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
    const username = `stageunit${JUDGES}x${i}${suffix}`
    await admin('POST', '/api/v1/users', { username, password, display_name: `大屏${i}区申报员`, roles: ['unit'], unit_id: unit.id })
    const unitAPI = await apiAs(base, username, password)
    const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
    await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
      title,
      category: '基层治理',
      summary: '以网格为单元整合力量。',
      problem: '群众诉求渠道分散。',
      approach: '划细网格，闭环受理。',
      results: '累计化解矛盾纠纷236宗。',
      replicability: '流程已标准化。',
      sustainability: '纳入年度预算。',
      start_date: '2023-03-01',
      contact_name: '李网格',
      contact_phone: '13800001234',
    })
    await uploadPNG(unitAPI, p.id, `照片${i}.png`, png(320, 200, 60 + i * 80))
    await unitAPI('POST', `/api/v1/projects/${p.id}/submit`)
    unitAPI.dispose()
    projects.push(p.id)
  }
  await admin('POST', '/api/v1/projects/eligibility', { project_ids: projects, eligible: true, reason: '' })
  const round = await admin('POST', `/api/v1/editions/${edition.id}/rounds`, {
    name: '终审',
    kind: 'live',
    opens_at: new Date(now - 3600_000).toISOString(),
    closes_at: new Date(now + 86400_000).toISOString(),
    reviewers_per_project: JUDGES,
    method: 'trimmed_mean',
    trim: 1,
    key_criterion: 'innovative',
    blind: false,
  })
  const judgeIDs = []
  for (let j = 1; j <= JUDGES; j++) {
    const u = await admin('POST', '/api/v1/users', { username: `stagejudge${JUDGES}x${j}${suffix}`, password, display_name: `评委${j}号`, roles: ['expert'] })
    judgeIDs.push(u.id)
  }
  const event = await admin('POST', `/api/v1/rounds/${round.id}/live-events`, {
    title: `大屏测试${JUDGES}${suffix}`,
    audience_mode: 'none',
    judge_ids: judgeIDs,
    weights: { panel: 100, previous: 0, audience: 0 },
    presentation_secs: 300,
    qa_secs: 180,
    pairing: 'pk',
  })
  for (const action of ['present', 'qa', 'present', 'qa', 'open_scoring']) {
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action })
  }
  const host = await admin('GET', `/api/v1/live-events/${event.id}/host`)
  const rubric = host.rubric
  for (const [k, pid] of event.slots[0].entries()) {
    for (let seat = 1; seat <= JUDGES; seat++) {
      // Seat 1 gives the first project full marks (100.00, the widest score); the others vary.
      const points = Object.fromEntries(
        rubric.map((c) => [c.key, seat === 1 && k === 0 ? Number(c.max) : Math.max(0, Number(c.max) - ((seat + k) % 4) * Number(c.step))]),
      )
      await admin('PUT', `/api/v1/live-events/${event.id}/scores/${pid}/seats/${seat}`, { points, reason: '评委平板故障，主持人代录' })
    }
  }
  await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'seal' })
  await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'reveal' })
  return event
}

/** measure reads, after the reveal has played, every judge tile's boxes and text sizes. */
async function measure(page) {
  return page.evaluate(() => {
    const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5
    const out = { tiles: [], problems: [] }
    for (const card of document.querySelectorAll('.card')) {
      const cb = card.getBoundingClientRect()
      for (const tile of card.querySelectorAll('.judge')) {
        const tb = tile.getBoundingClientRect()
        const score = tile.querySelector('.judge__score')
        const label = tile.querySelector('.judge__label')
        const sb = score.getBoundingClientRect()
        // The strike-through is the score's ::after, wider than the score by its left/right insets.
        const after = getComputedStyle(score, '::after')
        const strike = { left: sb.left + parseFloat(after.left), right: sb.right - parseFloat(after.right), top: sb.top, bottom: sb.bottom }
        const text = score.textContent.trim()
        const sizes = { score: parseFloat(getComputedStyle(score).fontSize), label: parseFloat(getComputedStyle(label).fontSize) }
        out.tiles.push({ text, ...sizes })
        if (!inside(tb, cb)) out.problems.push(`tile ${label.textContent} sticks out of its card`)
        if (!inside(sb, tb)) out.problems.push(`score ${text} is wider than its tile (${sb.width.toFixed(0)} > ${tb.width.toFixed(0)})`)
        if (tile.classList.contains('is-struck') && !inside(strike, tb)) out.problems.push(`the strike through ${text} runs out of its tile`)
        if (score.scrollWidth > score.clientWidth + 1 && getComputedStyle(score).overflow !== 'visible') out.problems.push(`score ${text} is clipped`)
      }
    }
    return out
  })
}

describe('the big screen at the limits of the panel', () => {
  // [judges, viewport, the smallest score and judge label wanted there]: 4–6 judges sit in rows of
  // 3 and reach the stage minimum (32 px at 1080p, scaled at 4K); 7–9 need rows of 5 and settle for
  // ~25 px, still fitting.
  const cases = [
    [5, 1920, 1080, 32],
    [5, 3840, 2160, 64],
    [9, 1920, 1080, 22],
    [9, 3840, 2160, 44],
  ]
  test('a 100.00 and its strike fit their tiles at every panel size, at 1080p and 4K, in readable sizes', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())
    const events = {}
    for (const [judges, width, height, minPx] of cases) {
      events[judges] ??= await revealedEvent(admin, judges)
      const ctx = await browser.newContext({ viewport: { width, height } })
      t.after(() => ctx.close())
      const page = await ctx.newPage()
      await page.goto(`${base}/display/${events[judges].id}`)
      await page.locator('[data-testid="display-screen"][data-phase="revealed"]').waitFor()
      await page.locator('[data-testid="display-winner"]').waitFor()
      await page.locator('.judge.is-struck').first().waitFor()
      const m = await measure(page)
      if (process.env.LEITAI_E2E_ARTIFACTS) await page.screenshot({ path: join(process.env.LEITAI_E2E_ARTIFACTS, `stage_${judges}judges_${width}x${height}.png`) })
      const where = `${judges} judges at ${width}×${height}`
      t.diagnostic(`${where}: score ${Math.min(...m.tiles.map((x) => x.score))}px, label ${Math.min(...m.tiles.map((x) => x.label))}px`)
      assert.equal(m.tiles.length, 2 * judges, where)
      assert.ok(m.tiles.some((x) => x.text === '100.00'), `a 100.00 on the screen, ${where}`)
      assert.deepEqual(m.problems, [], where)
      for (const x of m.tiles) {
        assert.ok(x.score >= minPx, `score ${x.text} is ${x.score}px, ${where}: want ≥ ${minPx}`)
        assert.ok(x.label >= minPx, `judge label is ${x.label}px, ${where}: want ≥ ${minPx}`)
      }
    }
  })
})
