// Expert review end to end against a live server. Set up through the API with the admin's session:
// an edition, three units whose users each submit a project with a photo, eligibility, and two
// experts. Then in the browser: the admin creates a blind round in the rounds console, chooses the
// round's two experts, runs the seeded assignment, opens the round and reminds the experts; both
// experts, on a 1024×768 tablet viewport, see the reminder, the project's photo under a blind name,
// score every project (a bad value shows the criterion's error from the server; input survives
// next/previous) and submit — two projects get identical scores; the admin closes the round, finds
// the tie flagged, decides it with a reason, reads the results and the judge statistics, downloads
// the score sheet, and `leitai rank` recomputes the same ranking from it; the admin publishes; on the
// public 公示 page the published sheet re-ranks to the published ranking, an anonymous visitor
// objects, the admin answers and the answer shows publicly. Run with `npm run test:e2e`;
// scripts/e2e.sh sets the variables below.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs as apiAt, signIn as signInAt, uploadPNG } from './support.mjs'

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

// Unique per run, so that reruns against the same server do not collide.
const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`

/** apiAs and signIn are support.mjs's, bound to the server under test. */
const apiAs = (username, password) => apiAt(base, username, password)
const signIn = (page, username, password) => signInAt(page, base, username, password)

/** beijing formats a time as "YYYY-MM-DD HH:mm" on the Beijing clock (what the pickers take). */
function beijing(date) {
  const b = new Date(date.getTime() + 8 * 3600_000)
  return b.toISOString().slice(0, 16).replace('T', ' ')
}

/**
 * screenshotOnFailure runs fn(page); when it fails, or the page threw an uncaught error, it saves a
 * full-page screenshot and names its path in the error (as withPage in browser.mjs does).
 */
async function screenshotOnFailure(t, label, page, fn) {
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err))
  try {
    await fn(page)
    if (pageErrors.length > 0) throw new Error(`uncaught error in the page: ${pageErrors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const dir = process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-e2e-')))
    const file = join(dir, `review_${label.replace(/[^\w-]+/g, '_')}.png`)
    try {
      await page.screenshot({ path: file, fullPage: true })
      t.diagnostic(`screenshot: ${file}`)
      if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    } catch (shotErr) {
      t.diagnostic(`screenshot failed: ${shotErr}`)
    }
    throw err
  }
}

/** withTablet runs fn in a fresh 1024×768 touch context (an iPad in landscape). */
async function withTablet(t, label, fn) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  try {
    await screenshotOnFailure(t, label, page, fn)
    } finally {
      await context.close()
    }
  }

  /** confirmBox accepts the Element Plus confirmation that is open. */
  async function confirmBox(page) {
    const box = page.locator('.el-message-box:visible')
    await box.waitFor()
    await box.locator('.el-button--primary').click()
    await box.waitFor({ state: 'hidden' })
  }

  /** field selects the input with this test id (Element Plus puts the attribute on the input or its wrapper). */
  function field(id) {
    return `input[data-testid="${id}"], [data-testid="${id}"] input`
  }

  function criterion(page, key) {
    return page.locator(`[data-testid="criterion"][data-criterion="${key}"]`)
  }

  /**
   * points are the scores an expert gives a project, on the step: distinct per expert, and the same
   * for the second and third project, which therefore tie through the whole chain.
   */
  function pointsFor(expert, index) {
    const i = Math.min(index, 1)
    return {
      innovative: 18 + i * 2 + expert * 0.5,
      exploratory: 15 + i,
      demonstrative: 14.5,
      replicable: 16,
      sustainable: 10 + expert,
    }
  }

  // ---- the flow -------------------------------------------------------------------------------------

  describe('expert review', () => {
    test('round set-up, seeded assignment, tablet scoring with errors and autosave, closing, results = leitai rank', async (t) => {
      const admin = await apiAs(adminUser, adminPassword)
      t.after(() => admin.dispose())

      // ---- set-up through the API ----------------------------------------------------------------
      const year = new Date().getFullYear() - 1 // never the "current" edition when another exists
      const now = Date.now()
      const edition = await admin('POST', '/api/v1/editions', {
        year,
        title: `评审测试届次${suffix}`,
        categories: ['基层治理', '平安建设'],
        opens_at: new Date(now - 3600_000).toISOString(),
        closes_at: new Date(now + 7 * 86400_000).toISOString(),
        grace_minutes: 0,
        quota_per_unit: 2,
        status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `评审市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const projects = []
    for (const [i, name] of ['甲区', '乙区', '丙区'].entries()) {
      const unitName = `${name}${suffix}`
      const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: unitName, parent_id: city.id, contact_name: '', contact_phone: '' })
      const username = `rvunit${i}${suffix}`
      const password = `rv-unit-pass-${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `${unitName}申报员`, roles: ['unit'], unit_id: unit.id })
      const unitAPI = await apiAs(username, password)
      const title = `${['四民主工作法', '和美网格', '复退军人之家'][i]}${suffix.slice(-4)}`
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
        title,
        category: '基层治理',
        summary: "以网格为单元整合力量，群众诉求“小事不出网格”。",
        problem: '群众诉求渠道分散，矛盾纠纷多。',
        approach: '一是划细网格；二是建立队伍；三是用小程序闭环受理。',
        results: '累计化解矛盾纠纷236宗，群众满意率98%。',
        replicability: '流程和培训手册已标准化，可复制推广。',
        sustainability: '纳入年度工作要点和财政预算。',
        start_date: '2023-03-01',
        contact_name: '李网格',
        contact_phone: '13800001234',
      })
      await uploadPNG(unitAPI, p.id, `现场照片${i}.png`)
      await unitAPI('POST', `/api/v1/projects/${p.id}/submit`)
      unitAPI.dispose()
      projects.push({ id: p.id, title, unitName })
    }
    // A unit without projects, for an expert to declare a conflict with.
    const otherUnit = await admin('POST', '/api/v1/units', { kind: 'county', name: `丁区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
    await admin('POST', '/api/v1/projects/eligibility', { project_ids: projects.map((p) => p.id), eligible: true, reason: '' })

    const experts = []
    for (const i of [1, 2]) {
      const username = `rvexpert${i}${suffix}`
      const password = `rv-expert-pass-${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `评审专家${i}号`, roles: ['expert'] })
      experts.push({ username, password })
    }
    // An expert left off the panel, so that ours are a real subset even when this file runs alone
    // (choosing every expert is stored as "all").
    await admin('POST', '/api/v1/users', { username: `rvexpert3${suffix}`, password: `rv-expert-pass-${suffix}`, display_name: '评审专家3号', roles: ['expert'] })
    // The round's panel is our two experts: k = 2 gives each of them every project.
    const k = 2

    // ---- the admin creates, assigns and opens the round in the UI -------------------------------
    const roundName = `初审${suffix.slice(-5)}`
    const seed = '20260501'
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    const adminPage = await adminContext.newPage()
    adminPage.setDefaultTimeout(15_000)
    t.after(() => adminContext.close())
    let roundID = 0
    await screenshotOnFailure(t, 'admin opens the round', adminPage, async () => {
      await signIn(adminPage, adminUser, adminPassword)
      await adminPage.goto(`${base}/admin`)
      await adminPage.locator('[data-admin-nav="admin-rounds"]').click()
      await adminPage.getByRole('heading', { level: 1, name: '评审轮次' }).waitFor()
      await adminPage.locator('[data-testid="rounds-edition"]').click()
      await adminPage.locator('.el-select-dropdown__item:visible', { hasText: edition.title }).click()
      await adminPage.locator('[data-testid="rounds-empty"]').waitFor()

      await adminPage.locator('[data-testid="round-create"]').click()
      const dialog = adminPage.locator('.el-dialog[data-testid="round-dialog"]:visible')
      await dialog.waitFor()
      // The default rubric is shown: five criteria, 100 points.
      assert.equal(await dialog.locator('[data-testid="rubric-row"]').count(), 5)
      assert.match(await dialog.locator('[data-testid="rubric-total"]').innerText(), /合计 100 分/)
      await dialog.locator(field('round-name')).fill(roundName)
      for (const [id, when] of [
        ['round-opens', new Date(now - 3600_000)],
        ['round-closes', new Date(now + 3 * 86400_000)],
      ]) {
        const input = dialog.locator(`#${id}`)
        await input.click()
        await input.fill(beijing(when))
        await input.press('Enter')
      }
      const kInput = dialog.locator(field('round-k'))
      await kInput.fill(String(k))
      await kInput.press('Tab')
      await dialog.locator('[data-testid="round-blind"]').click()
      await dialog.locator('[data-testid="round-save"]').click()
      await dialog.waitFor({ state: 'hidden' })
      await adminPage.locator(`[data-testid="rounds-table"] [data-round-name="${roundName}"]`).waitFor()
      const detail = adminPage.locator('[data-testid="round-detail"]')
      await detail.waitFor()
      assert.equal(await detail.getAttribute('data-status'), 'draft')
      roundID = Number(await detail.getAttribute('data-round-id'))

      // The round's experts: only ours.
      await detail.locator('[data-testid="panel-open"]').click()
      const panel = adminPage.locator('.el-dialog[data-testid="panel-dialog"]:visible')
      await panel.waitFor()
      for (const ex of experts) await panel.locator(`.el-checkbox[data-expert="${ex.username}"]`).click()
      await panel.locator('[data-testid="panel-save"]').click()
      await panel.waitFor({ state: 'hidden' })
      await detail.locator('[data-testid="panel-open"]').getByText('（2 位）').waitFor()

      await detail.locator(field('assign-seed')).fill(seed)
      await detail.locator('[data-testid="assign-run"]').click()
      const assigned = detail.locator('[data-testid="assign-result"]')
      await assigned.waitFor()
      assert.equal(await assigned.getAttribute('data-seed'), seed, 'the seed used is shown')
      assert.equal(await assigned.getAttribute('data-balanced'), 'true')
      await detail.locator('[data-testid="progress-table"]').getByText(experts[0].username).waitFor()

      await detail.locator('[data-testid="round-open"]').click()
      await confirmBox(adminPage)
      await adminPage.locator('[data-testid="round-detail"][data-status="open"]').waitFor()

      // Remind both experts (neither has started), with a line of text.
      await adminPage.locator('[data-testid="remind-open"]').click()
      const prompt = adminPage.locator('.el-message-box:visible')
      await prompt.waitFor()
      await prompt.locator('input').fill('请于周五前完成评分')
      const reminded = adminPage.waitForResponse((r) => r.url().endsWith(`/api/v1/rounds/${roundID}/reminders`) && r.request().method() === 'POST')
      await prompt.locator('.el-button--primary').click()
      assert.equal((await (await reminded).json()).reminders.length, 2)
      await adminPage.locator('[data-testid="progress-table"] [data-testid="reminded-at"]').first().waitFor()
    })

    // ---- two experts score on a tablet --------------------------------------------------------
    for (const [e, expert] of experts.entries()) {
      await withTablet(t, `expert ${e + 1}`, async (p) => {
        await signIn(p, expert.username, expert.password)
        await p.goto(`${base}/review`)
        const card = p.locator(`[data-testid="review-round"][data-round-id="${roundID}"]`)
        await card.waitFor()
        const ring = card.locator('[data-testid="progress-ring"]')
        assert.equal(await ring.getAttribute('data-done'), '0')
        assert.equal(await ring.getAttribute('data-total'), '3')
        assert.match(await card.locator('[data-testid="round-countdown"]').innerText(), /还剩 \d+ 天/)
        // The organisers' reminder, with its time and the work left.
        const banner = card.locator('[data-testid="round-reminder"]')
        await banner.waitFor()
        assert.match(await banner.innerText(), /组委会于 .+ 提醒：还有 3 个项目未提交评分[\s\S]*请于周五前完成评分/)
        // A blind round: no unit name anywhere.
        const homeText = await p.locator('body').innerText()
        for (const pr of projects) assert.ok(!homeText.includes(pr.unitName), `the home page names ${pr.unitName}`)

        if (e === 1) {
          // A conflict of interest, declared in one tap from the home page.
          await p.locator('[data-testid="conflict-open"]').click()
          const dialog = p.locator('.el-dialog[data-testid="conflict-dialog"]:visible')
          await dialog.waitFor()
          await dialog.locator('.el-select[data-testid="conflict-unit"]').click()
          await p.keyboard.type(otherUnit.name)
          await p.locator('.conflict-unit-popper:visible .el-tree-node__content', { hasText: otherUnit.name }).first().click()
          await dialog.locator('[data-testid="conflict-reason"] textarea, textarea[data-testid="conflict-reason"]').fill('本人曾在该单位任职')
          const declared = p.waitForResponse((r) => r.url().endsWith('/api/v1/me/conflicts') && r.request().method() === 'POST')
          await dialog.locator('[data-testid="conflict-save"]').click()
          assert.deepEqual((await (await declared).json()).unit_ids, [otherUnit.id])
          await dialog.waitFor({ state: 'hidden' })
          await p.locator('[data-testid="conflicts-declared"]').getByText(otherUnit.name).waitFor()
        }

        const order = await card.locator('[data-testid="review-item"]').evaluateAll((els) => els.map((el) => Number(el.dataset.projectId)))
        assert.equal(order.length, 3)
        await card.locator('[data-testid="round-continue"]').click()
        await p.waitForURL(new RegExp(`/review/rounds/${roundID}/projects/${order[0]}$`))

        for (const [i, pid] of order.entries()) {
          await p.locator(`[data-testid="rubric"]`).waitFor()
          await p.waitForURL(new RegExp(`/projects/${pid}$`))
          const text = await p.locator('[data-testid="scoring-page"]').innerText()
          for (const pr of projects) assert.ok(!text.includes(pr.unitName), `the scoring page names ${pr.unitName}`)
          assert.match(text, /盲评：已隐藏申报单位/)
          // The project's photo, under a blind name (the unit named its file 现场照片N.png).
          const photo = p.locator('[data-testid="media-photo"]')
          await photo.waitFor()
          assert.equal(await photo.getAttribute('data-filename'), '附件1.png')
          assert.ok(!text.includes('现场照片') && !(await p.locator('[data-testid="review-media"]').innerText()).includes('现场照片'))
          const width = await photo.locator('img').evaluate((img) =>
            img.complete
              ? img.naturalWidth
              : new Promise((done) => {
                  img.addEventListener('load', () => done(img.naturalWidth))
                  img.addEventListener('error', () => done(0))
                }),
          )
          assert.ok(width > 0, 'the photo loads through its expiring link')
          const pts = pointsFor(e, projects.findIndex((pr) => pr.id === pid))

          if (e === 0 && i === 0) {
            // A value over the maximum: the server names the criterion, the page shows it there.
            const refused = p.waitForResponse((r) => r.url().endsWith(`/projects/${pid}/score`) && r.status() === 422)
            await criterion(p, 'innovative').locator('[data-testid="criterion-input"]').fill('30')
            const body = await (await refused).json()
            assert.equal(body.error.fields.innovative, 'between 0 and 25')
            await criterion(p, 'innovative').locator('[data-testid="criterion-error"]').getByText('须在 0 到 25 分之间').waitFor()
            await p.locator('[data-testid="save-state"][data-state="invalid"]').waitFor()
          }
          if (e === 1 && i === 0) {
            // Input survives next/previous before the autosave has run.
            await criterion(p, 'exploratory').locator('[data-testid="criterion-input"]').fill('12.5')
            await p.locator('[data-testid="scoring-next"]').click()
            await p.waitForURL(new RegExp(`/projects/${order[1]}$`))
            await p.locator('[data-testid="scoring-prev"]').click()
            await p.waitForURL(new RegExp(`/projects/${pid}$`))
            assert.equal(await criterion(p, 'exploratory').locator('[data-testid="criterion-input"]').inputValue(), '12.5')
          }

          for (const [key, value] of Object.entries(pts)) {
            const input = criterion(p, key).locator('[data-testid="criterion-input"]')
            if (key === 'demonstrative') {
              // The stepper: from 13.5, two taps of + in steps of 0.5.
              await input.fill('13.5')
              await criterion(p, key).locator('[data-action="increase"]').tap()
              await criterion(p, key).locator('[data-action="increase"]').tap()
              assert.equal(await input.inputValue(), String(value))
            } else {
              await input.fill(String(value))
            }
          }
          assert.equal(await criterion(p, 'innovative').locator('[data-testid="criterion-error"]').count(), 0)
          await p.locator('[data-testid="score-comment"]').fill(`专家${e + 1}：做法扎实，建议加强数据支撑。`)
          const total = Object.values(pts).reduce((a, b) => a + b, 0)
          assert.equal(await p.locator('[data-testid="score-total"]').getAttribute('data-total'), String(total))

          await p.locator('[data-testid="submit-score"]').click()
          await confirmBox(p)
          await p.locator('[data-testid="score-status"][data-status="submitted"]').waitFor()
          const saved = await (
            await p.request.get(`${base}/api/v1/review/rounds/${roundID}/projects/${pid}`)
          ).json()
          assert.deepEqual(saved.score.points, pts)
          assert.equal(saved.score.status, 'submitted')
          assert.equal(saved.project.unit_name, '', 'the server leaves the unit out in a blind round')
          if (i < order.length - 1) await p.locator('[data-testid="next-todo"]').click()
        }

        await p.locator('[data-testid="scoring-back"]').click()
        await p.waitForURL(`${base}/review`)
        await card.locator('[data-testid="round-all-done"]').waitFor()
        assert.equal(await ring.getAttribute('data-done'), '3')
      })
    }

    // ---- the admin closes the round, decides the tie, downloads the score sheet ----------------
    const binEnv = process.env.LEITAI_BIN || 'bin/leitai'
    const bin = isAbsolute(binEnv) ? binEnv : [resolve(process.cwd(), binEnv), resolve(process.cwd(), '..', binEnv)].find((p) => existsSync(p))
    assert.ok(bin && existsSync(bin), `the leitai binary (LEITAI_BIN=${binEnv}) exists`)
    const tiedPair = [projects[1].id, projects[2].id].map(String).sort()
    let decidedOrder = []
    await screenshotOnFailure(t, 'admin closes the round', adminPage, async () => {
      await adminPage.reload()
      const detail2 = adminPage.locator('[data-testid="round-detail"][data-status="open"]')
      await detail2.waitFor()
      const progressRow = detail2.locator('[data-testid="progress-table"] .el-table__row', { hasText: experts[1].username })
      await progressRow.getByText('3 / 3').waitFor()
      await detail2.locator('[data-testid="round-close"]').click()
      await confirmBox(adminPage)
      const closed = adminPage.locator('[data-testid="round-detail"][data-status="closed"]')
      await closed.waitFor()
      const uncounted = closed.locator('[data-testid="uncounted-drafts"]')
      await uncounted.waitFor()
      assert.equal(await uncounted.getAttribute('data-count'), '0')

      // The two projects with identical scores are flagged, never ordered silently.
      const rows = closed.locator('[data-testid="results-table"] [data-testid="result-rank"]')
      await rows.first().waitFor()
      assert.equal(await closed.locator('[data-testid="result-tied"]').count(), 2)
      const group = closed.locator('[data-testid="tie-group"]')
      assert.equal(await group.getAttribute('data-rank'), '1', 'the tie is for first place')
      await group.locator('[data-testid="tie-decide"]').click()
      const dialog = adminPage.locator('.el-dialog[data-testid="tie-dialog"]:visible')
      await dialog.waitFor()
      const listed = await dialog.locator('[data-testid="tie-row"]').evaluateAll((els) => els.map((el) => el.dataset.projectId))
      assert.deepEqual(listed, tiedPair, 'the tied group is listed by id')
      // Put the higher id first (by keyboard), so the decision is not the id order.
      await dialog.locator('[data-testid="tie-row"]').nth(1).locator('[data-testid="tie-up"]').focus()
      await adminPage.keyboard.press('Enter')
      decidedOrder = [tiedPair[1], tiedPair[0]]
      assert.deepEqual(await dialog.locator('[data-testid="tie-row"]').evaluateAll((els) => els.map((el) => el.dataset.projectId)), decidedOrder)
      // A reason is required.
      await dialog.locator('[data-testid="tie-save"]').click()
      await dialog.getByText('请写明理由').waitFor()
      await dialog.locator('[data-testid="tie-reason"] textarea, textarea[data-testid="tie-reason"]').fill('经组委会研究，按现场核查情况排定')
      await dialog.locator('[data-testid="tie-save"]').click()
      await dialog.waitFor({ state: 'hidden' })
      await closed.locator('[data-testid="decision"]').getByText('经组委会研究，按现场核查情况排定').waitFor()
      await closed.locator('[data-testid="result-tied"]').first().waitFor({ state: 'detached' })

      const shown = await rows.evaluateAll((els) => els.map((el) => ({ project: el.dataset.projectId, rank: Number(el.dataset.rank) })))
      const scores = await closed.locator('[data-testid="results-table"] [data-testid="result-score"]').allInnerTexts()
      assert.equal(shown.length, 3)
      assert.deepEqual(shown.slice(0, 2).map((r) => r.project), decidedOrder)
      assert.deepEqual(shown.map((r) => r.rank), [1, 2, 3])
      for (const pr of projects) await closed.locator('[data-testid="results-table"]').getByText(pr.title).waitFor()

      const [download] = await Promise.all([
        adminPage.waitForEvent('download'),
        closed.locator('[data-testid="sheet-download"]').click(),
      ])
      assert.match(download.suggestedFilename(), /^round-\d+-score-sheet\.json$/)
      const sheet = readFileSync(await download.path(), 'utf8')
      const parsed = JSON.parse(sheet)
      assert.equal(parsed.scores.length, 6, 'two experts × three projects')
      assert.deepEqual(parsed.decisions, [{ order: decidedOrder, reason: '经组委会研究，按现场核查情况排定' }])

      // The round's scores as CSV from the round's page: a row per expert and project, the titles
      // and the rubric's criteria as columns.
      await closed.locator('[data-testid="round-export-open"]').click()
      const [csv] = await Promise.all([
        adminPage.waitForEvent('download'),
        adminPage.locator('[data-testid="export-scores-csv"]:visible').click(),
      ])
      assert.match(csv.suggestedFilename(), /^round-\d+-scores\.csv$/)
      const csvText = readFileSync(await csv.path(), 'utf8')
      assert.equal(csvText.trim().split(/\r?\n/).length, 1 + 6, `header and six scores: ${csvText}`)
      for (const pr of projects) assert.ok(csvText.includes(pr.title), `the export names ${pr.title}`)

      // The score history of the first project: each of its two experts, with their drafts and submissions.
      await closed.locator('[data-testid="history-open"]').first().click()
      const history = adminPage.locator('.el-dialog[data-testid="score-history"]:visible')
      await history.waitFor()
      await history.locator('[data-testid="history-expert"]').nth(1).waitFor()
      assert.equal(await history.locator('[data-testid="history-expert"]').count(), 2, 'two experts scored the project')
      assert.ok((await history.locator('[data-testid="history-change"][data-action="score.submit"]').count()) >= 2, 'each submission is listed')
      await adminPage.keyboard.press('Escape')
      await history.waitFor({ state: 'hidden' })

      const ranked = JSON.parse(execFileSync(bin, ['rank'], { input: sheet, encoding: 'utf8' }))
      assert.deepEqual(
        ranked.ranking.map((r) => ({ project: r.project, rank: r.rank })),
        shown,
        'leitai rank prints the ranking the results page shows',
      )
      ranked.ranking.forEach((r, i) => {
        assert.ok(Math.abs(Number(scores[i]) - r.score) < 0.005 + 1e-9, `score of project ${r.project}: ${scores[i]} vs ${r.score}`)
      })

      // Advancement: the top 2 go on to the next round.
      await closed.locator('[data-testid="advance-open"]').click()
      const advance = adminPage.locator('.el-dialog[data-testid="advance-dialog"]:visible')
      await advance.waitFor()
      assert.equal(await advance.locator('#advance-top, [data-testid="advance-top"] input').first().inputValue(), '2')
      await advance.locator('[data-testid="advance-save"]').click()
      await confirmBox(adminPage)
      await advance.waitFor({ state: 'hidden' })
      assert.match(await closed.locator('[data-testid="advancement-summary"]').innerText(), /前 2 名，2 个项目晋级/)
      assert.equal(await closed.locator('[data-testid="result-advances"]').count(), 2)

      // The judge statistics: ECharts draws the box plot when asked for.
      await closed.locator('[data-testid="stats-open"]').click()
      await closed.locator('[data-testid="stats-boxplot"] canvas').waitFor()
      await closed.locator('[data-testid="stats-table"]').getByText(experts[0].username).waitFor()

      // Publish, with the default publication window the dialog proposes.
      await closed.locator('[data-testid="round-publish"]').click()
      const publish = adminPage.locator('[data-testid="publish-dialog"]')
      await publish.locator('[data-testid="publish-default"]').waitFor()
      await publish.locator('[data-testid="publish-submit"]').click()
      await confirmBox(adminPage)
      await adminPage.locator('[data-testid="round-detail"][data-status="published"]').waitFor()
    })

    // ---- the public 公示 page: the published sheet re-ranks; an objection and its answer --------
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    t.after(() => visitor.close())
    const pub = await visitor.newPage()
    pub.setDefaultTimeout(15_000)
    const objection = `对并列第 1 名的排定有疑问，请公开核查情况${suffix}`
    await screenshotOnFailure(t, 'public results', pub, async () => {
      await pub.goto(`${base}/results`)
      const card = pub.locator(`[data-testid="publication"][data-round-id="${roundID}"]`)
      await card.waitFor()
      assert.equal(await card.locator('[data-testid="objection-window"]').getAttribute('data-open'), 'true')
      const published = await card
        .locator('[data-testid="published-rank"]')
        .evaluateAll((els) => els.map((el) => ({ project: el.dataset.projectId, rank: Number(el.dataset.rank) })))
      assert.deepEqual(published.slice(0, 2).map((r) => r.project), decidedOrder)
      assert.equal(await card.locator('.el-tag', { hasText: '晋级' }).count(), 2, 'the two advancing projects are marked')
      for (const s of await card.locator('[data-testid="published-score"]').allInnerTexts()) assert.match(s, /^\d+\.\d{2}$/)
      const [download] = await Promise.all([pub.waitForEvent('download'), card.locator('[data-testid="published-sheet"]').click()])
      const sheet = readFileSync(await download.path(), 'utf8')
      assert.ok(!sheet.includes(experts[0].username) && /"judge": ?"J1"/.test(sheet), 'the published sheet is anonymised')
      const ranked = JSON.parse(execFileSync(bin, ['rank'], { input: sheet, encoding: 'utf8' }))
      assert.deepEqual(
        ranked.ranking.map((r) => ({ project: r.project, rank: r.rank })),
        published,
        'leitai rank on the published sheet reproduces the published ranking',
      )

      // An anonymous objection: name and contact required.
      await card.locator('[data-testid="object-open"]').click()
      const dialog = pub.locator('.el-dialog[data-testid="object-dialog"]:visible')
      await dialog.waitFor()
      await dialog.locator('[data-testid="object-send"]').click()
      await dialog.getByText('请填写姓名').waitFor()
      await dialog.locator(field('object-name')).fill('王先生')
      await dialog.locator(field('object-contact')).fill('13800009999')
      await dialog.locator('[data-testid="object-body"] textarea, textarea[data-testid="object-body"]').fill(objection)
      await dialog.locator('[data-testid="object-send"]').click()
      await dialog.locator('[data-testid="object-sent"]').waitFor()
    })

    await screenshotOnFailure(t, 'admin answers the objection', adminPage, async () => {
      const item = adminPage.locator('[data-testid="round-objections"] [data-testid="objection"]', { hasText: objection })
      await adminPage.reload()
      await item.waitFor()
      assert.match(await item.innerText(), /13800009999/)
      await item.locator('[data-testid="objection-answer"] textarea, textarea[data-testid="objection-answer"]').fill('经核实，排定依据为现场核查记录，维持结果。')
      await item.locator('[data-testid="objection-answer-save"]').click()
      await item.getByText('已答复').waitFor()
    })

    await screenshotOnFailure(t, 'public answer', pub, async () => {
      await pub.reload()
      const answered = pub.locator(`[data-testid="publication"][data-round-id="${roundID}"] [data-testid="answered-objection"]`, { hasText: objection })
      await answered.getByText('经核实，排定依据为现场核查记录，维持结果。').waitFor()
      const text = await pub.locator('body').innerText()
      assert.ok(!text.includes('13800009999') && !text.includes('王先生'), 'the sender is not shown publicly')
    })
  })
})
