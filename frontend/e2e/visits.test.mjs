// Site visits (实地考察) in 复审 and the office's figures, end to end against a live server. Set up
// through the API with the admin's session: an edition, two counties whose units each submit a
// project with a photo, eligibility, two experts and an open round that records site visits, both
// experts on every project. In the browser: the first expert records a visit with notes and a photo
// (through the resumable upload pipeline); the second expert of the panel opens the same project
// and sees the visit, its notes and its photo; the project's unit never reaches it (404 over the
// API). The admin opens 统计 from the overview: the charts render with their tables beside them,
// the county figures match the seed, and the county CSV downloads with the same numbers.
// scripts/e2e.sh sets the variables below.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { request } from 'playwright-core'
import { baseURL, launchBrowser, withPage } from './browser.mjs'
import { apiAs as apiAt, png, signIn as signInAt, uploadPNG } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
let browser

before(async () => {
  if (!adminUser || !adminPassword) {
    throw new Error('LEITAI_E2E_ADMIN_USER and LEITAI_E2E_ADMIN_PASSWORD must be set (scripts/e2e.sh does).')
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const apiAs = (username, password) => apiAt(base, username, password)
const signIn = (page, username, password) => signInAt(page, base, username, password)

/** statusAs signs in and returns the status of one GET (for the refusals). */
async function statusAs(username, password, path) {
  const ctx = await request.newContext({ baseURL: base })
  try {
    const login = await ctx.post('/api/v1/auth/login', { data: { username, password } })
    assert.ok(login.ok())
    return (await ctx.get(path)).status()
  } finally {
    await ctx.dispose()
  }
}

describe('site visits and figures', () => {
  test('an expert records a site visit with a photo, the panel sees it; the figures page charts, tables and exports', async (t) => {
    const admin = await apiAs(adminUser, adminPassword)
    t.after(() => admin.dispose())

    // ---- set-up through the API ------------------------------------------------------------------
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      year: new Date().getFullYear() - 2,
      title: `考察测试届次${suffix}`,
      categories: ['基层治理', '平安建设'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `考察市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const projects = []
    const units = []
    for (const [i, county] of ['东区', '西县'].entries()) {
      const countyUnit = await admin('POST', '/api/v1/units', { kind: 'county', name: `${county}${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
      const town = await admin('POST', '/api/v1/units', { kind: 'town', name: `${county}街道${suffix}`, parent_id: countyUnit.id, contact_name: '', contact_phone: '' })
      const username = `vsunit${i}${suffix}`
      const password = `vs-unit-pass-${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `${county}申报员`, roles: ['unit'], unit_id: town.id })
      units.push({ username, password, county: countyUnit.name })
      const unitAPI = await apiAs(username, password)
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
        title: `${['红色议事厅', '平安守护'][i]}${suffix.slice(-4)}`,
        category: ['基层治理', '平安建设'][i],
        summary: '以议事厅为平台，群众事群众议。',
        problem: '群众参与渠道少。',
        approach: '一是建平台；二是定规则；三是抓落实。',
        results: '议定事项120件，办结率95%。',
        replicability: '流程已标准化。',
        sustainability: '纳入年度预算。',
        start_date: '2023-03-01',
        contact_name: '陈联络',
        contact_phone: '13800005678',
      })
      await uploadPNG(unitAPI, p.id, `材料照片${i}.png`)
      await unitAPI('POST', `/api/v1/projects/${p.id}/submit`)
      unitAPI.dispose()
      projects.push(p.id)
    }
    await admin('POST', '/api/v1/projects/eligibility', { project_ids: projects, eligible: true, reason: '' })
    const experts = []
    for (const i of [1, 2]) {
      const username = `vsexpert${i}${suffix}`
      const password = `vs-expert-pass-${suffix}`
      const u = await admin('POST', '/api/v1/users', { username, password, display_name: `考察专家${i}号`, roles: ['expert'] })
      experts.push({ id: u.id, username, password, name: `考察专家${i}号` })
    }
    const round = await admin('POST', `/api/v1/editions/${edition.id}/rounds`, {
      name: `复审${suffix.slice(-4)}`,
      kind: 'online',
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 3 * 86400_000).toISOString(),
      reviewers_per_project: 2,
      method: 'mean',
      trim: 0,
      key_criterion: 'innovative',
      blind: false,
      site_visits: true,
    })
    assert.equal(round.site_visits, true)
    await admin('PUT', `/api/v1/rounds/${round.id}/experts`, { expert_ids: experts.map((e) => e.id) })
    await admin('POST', `/api/v1/rounds/${round.id}/assign`, { seed: 7 })
    await admin('POST', `/api/v1/rounds/${round.id}/status`, { status: 'open' })
    const pid = projects[0]
    const notes = `走访了议事厅，查看了台账${suffix.slice(-3)}`

    // ---- the first expert records a visit with a photo -----------------------------------------
    await withPage(browser, t, async (page) => {
      await signIn(page, experts[0].username, experts[0].password)
      await page.goto(`${base}/review/rounds/${round.id}/projects/${pid}`)
      const section = page.locator('[data-testid="site-visits"]')
      await section.waitFor()
      await section.locator('[data-testid="visits-empty"]').waitFor()
      const form = section.locator('[data-testid="visit-form"]')
      await form.locator('[data-testid="visit-notes-input"] textarea, textarea[data-testid="visit-notes-input"]').fill(notes)
      await form.locator('[data-testid="visit-photo-input"]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: png(96, 64, 30) })
      await form.locator('[data-testid="visit-form-photo"]').waitFor()
      const saved = page.waitForResponse((r) => r.url().endsWith(`/projects/${pid}/visit`) && r.request().method() === 'PUT')
      await form.locator('[data-testid="visit-save"]').click()
      assert.equal((await saved).status(), 200)
      const mine = section.locator('[data-testid="visit-mine"]')
      await mine.waitFor()
      assert.equal(await mine.locator('[data-testid="visit-notes"]').innerText(), notes)
      await mine.locator('[data-testid="visit-photo"]').waitFor()
    })

    // ---- the second expert of the panel sees it --------------------------------------------------
    await withPage(browser, t, async (page) => {
      await signIn(page, experts[1].username, experts[1].password)
      await page.goto(`${base}/review/rounds/${round.id}/projects/${pid}`)
      const other = page.locator('[data-testid="site-visits"] [data-testid="visit-other"]')
      await other.waitFor()
      assert.match(await other.innerText(), new RegExp(experts[0].name))
      assert.equal(await other.locator('[data-testid="visit-notes"]').innerText(), notes)
      const img = other.locator('[data-testid="visit-photo"]')
      await img.waitFor()
      // The photo really loads (a link the browser can follow, not a broken image).
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle())
      // Their own form is there, empty.
      await page.locator('[data-testid="visit-form"]').waitFor()
    })

    // The project's unit and the public never reach the visits.
    assert.equal(await statusAs(units[0].username, units[0].password, `/api/v1/review/rounds/${round.id}/projects/${pid}/visits`), 403)
    const unitMedia = await apiAs(units[0].username, units[0].password)
    const listed = await unitMedia('GET', `/api/v1/projects/${pid}/media`)
    unitMedia.dispose()
    assert.equal(listed.media.length, 1, 'the visit photo is not among the application materials')
    const anon = await request.newContext({ baseURL: base })
    assert.equal((await anon.get(`/api/v1/review/rounds/${round.id}/projects/${pid}/visits`)).status(), 401)
    await anon.dispose()

    // ---- the admin's figures page ------------------------------------------------------------------
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    t.after(() => context.close())
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await signIn(page, adminUser, adminPassword)
    await page.goto(`${base}/admin/figures?edition=${edition.id}`)
    await page.locator('[data-testid="figures-page"]').waitFor()
    await page.locator(`[data-testid="figures-submissions"][data-count="2"]`).waitFor()
    for (const id of ['county', 'category', 'eligibility', 'rounds', 'experts']) {
      // ECharts draws into a canvas inside the chart's box.
      await page.locator(`[data-testid="chart-${id}"] canvas`).first().waitFor()
      await page.locator(`[data-testid="figure-${id}"] table tbody tr`).first().waitFor()
    }
    const countyRows = await page.locator('[data-testid="figure-county"] tbody tr').allInnerTexts()
    for (const u of units) assert.ok(countyRows.some((r) => r.includes(u.county) && /\b1\b/.test(r)), `${u.county} counts 1: ${countyRows}`)
    const expertRows = await page.locator('[data-testid="figure-experts"] tbody tr').allInnerTexts()
    assert.equal(expertRows.length, 2)
    for (const r of expertRows) assert.match(r, /考察专家[12]号\s+2\s+0\s+0/)
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-county-csv"]').click()])
    const csv = readFileSync(await download.path(), 'utf8')
    assert.ok(csv.startsWith('\ufeff县区 County,项目数 Projects'), csv)
    for (const u of units) assert.ok(csv.includes(`${u.county},1`), csv)

    // The overview links to the figures.
    await page.goto(`${base}/admin`)
    await page.locator('[data-testid="overview-figures"]').waitFor()
  })
})
