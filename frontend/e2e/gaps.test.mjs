// Review gaps end to end against a live server (issue 13). Set up through the API: an edition, three
// units with one submitted, eligible project each, four experts, a round of one expert per project
// assigned with a seed and opened; one expert submits a score, another keeps a draft. Then in the
// browser the admin, on the round's page: sees the assignment with each score's status; adds a
// conflict between the spare expert and a project's unit (with a reason) and sees it beside the
// automatic ones; moving that project to the conflicted expert is refused with the conflict named; a
// submitted score cannot be moved from; moving it to another expert works, the other assignments
// stay, and the loads before and after are shown with the balance warning. On the edition page the
// admin sets a holiday calendar (three days off from tomorrow and a 调休 Saturday; a weekday as a
// working day and a duplicate are refused), closes the round and publishes: the dialog's default
// window skips the configured holiday and counts 5 working days; the admin starts it tomorrow; the
// public page shows the window, and an objection before it opens is refused (409 naming it).
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { request } from 'playwright-core'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs as apiAt, confirmBox, signIn as signInAt, uploadPNG } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
let browser

before(async () => {
  if (!adminUser || !adminPassword) throw new Error('LEITAI_E2E_ADMIN_USER and LEITAI_E2E_ADMIN_PASSWORD must be set (scripts/e2e.sh does).')
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const apiAs = (username, password) => apiAt(base, username, password)

/** beijingDate is the date (YYYY-MM-DD) on the Beijing clock (LEITAI_TIMEZONE's default) of a time. */
function beijingDate(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
}

/** addDays moves a YYYY-MM-DD date by n days. */
function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

function weekday(day) {
  return new Date(`${day}T12:00:00Z`).getUTCDay()
}

/** addWorkingDays is the 5-working-day rule: the date of the n-th working day after day. */
function addWorkingDays(day, n, off, work) {
  let d = day
  while (n > 0) {
    d = addDays(d, 1)
    const wd = weekday(d)
    if (work.has(d) || (!off.has(d) && wd !== 0 && wd !== 6)) n--
  }
  return d
}

/** keep saves a screenshot of the page when LEITAI_E2E_ARTIFACTS names a directory (for review by eye). */
async function keep(page, label) {
  const dir = process.env.LEITAI_E2E_ARTIFACTS
  if (dir) await page.screenshot({ path: join(dir, `gaps_${label}.png`), fullPage: true })
}

async function withShot(t, label, page, fn) {
  const errors = []
  page.on('pageerror', (e) => errors.push(e))
  try {
    await fn()
    if (errors.length > 0) throw new Error(`uncaught error in the page: ${errors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const dir = process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-e2e-')))
    const file = join(dir, `gaps_${label.replace(/[^\w-]+/g, '_')}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => {})
    if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    throw err
  }
}

/** pick opens an Element Plus select and chooses the visible option with this text. */
async function pick(page, select, text) {
  await select.click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

describe('review gaps', () => {
  test('an admin moves a project mid-round; the 公示 window skips a configured holiday', async (t) => {
    const admin = await apiAs(adminUser, adminPassword)
    t.after(() => admin.dispose())

    // ---- set-up through the API ------------------------------------------------------------------
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      year: 2000 + Math.floor(Math.random() * 20),
      title: `调整测试届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `调整市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const projects = []
    for (const [i, name] of ['东区', '西区', '南区'].entries()) {
      const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `${name}${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
      const username = `gpunit${i}${suffix}`
      const password = `gp-unit-pass-${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `${name}申报员`, roles: ['unit'], unit_id: unit.id })
      const unitAPI = await apiAs(username, password)
      const title = `${['邻里议事厅', '平安楼栋', '老兵调解室'][i]}${suffix.slice(-4)}`
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
        title,
        category: '基层治理',
        summary: '以楼栋为单元组织居民议事，群众诉求就地解决。',
        problem: '居民诉求渠道分散。',
        approach: '一是建议事厅；二是定规则；三是闭环督办。',
        results: '累计解决诉求120件，满意率97%。',
        replicability: '流程已标准化，可复制推广。',
        sustainability: '纳入年度工作要点。',
        start_date: '2023-03-01',
        contact_name: '王议事',
        contact_phone: '13800004321',
      })
      await uploadPNG(unitAPI, p.id, `现场照片${i}.png`)
      await unitAPI('POST', `/api/v1/projects/${p.id}/submit`)
      unitAPI.dispose()
      projects.push({ id: p.id, title, unitID: unit.id, unitName: unit.name })
    }
    await admin('POST', '/api/v1/projects/eligibility', { project_ids: projects.map((p) => p.id), eligible: true, reason: '' })
    const experts = []
    for (const i of [1, 2, 3, 4]) {
      const username = `gpexpert${i}${suffix}`
      const password = `gp-expert-pass-${suffix}`
      const u = await admin('POST', '/api/v1/users', { username, password, display_name: `调整专家${i}号${suffix.slice(-3)}`, roles: ['expert'] })
      experts.push({ id: u.id, username, password, name: u.display_name })
    }
    const round = await admin('POST', `/api/v1/editions/${edition.id}/rounds`, {
      name: `初审${suffix.slice(-5)}`,
      kind: 'online',
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 3 * 86400_000).toISOString(),
      reviewers_per_project: 1,
      method: 'mean',
      trim: 0,
      key_criterion: 'innovative',
      blind: false,
    })
    await admin('PUT', `/api/v1/rounds/${round.id}/experts`, { expert_ids: experts.map((e) => e.id) })
    await admin('POST', `/api/v1/rounds/${round.id}/assign`, { seed: 7 })
    await admin('POST', `/api/v1/rounds/${round.id}/status`, { status: 'open' })
    const before = (await admin('GET', `/api/v1/rounds/${round.id}/assignments`)).projects
    assert.equal(before.length, 3)
    const ownerOf = (list, pid) => list.find((p) => p.project_id === pid).experts.map((e) => e.expert_id)
    const expertByID = Object.fromEntries(experts.map((e) => [e.id, e]))
    // Project 0: its expert submits. Project 1: its expert keeps a draft; it is the one we move.
    const submitter = expertByID[ownerOf(before, projects[0].id)[0]]
    const drafter = expertByID[ownerOf(before, projects[1].id)[0]]
    const third = expertByID[ownerOf(before, projects[2].id)[0]]
    const spare = experts.find((e) => ![submitter.id, drafter.id, third.id].includes(e.id))
    assert.ok(spare, 'one expert has no project (k = 1, three projects, four experts)')
    const points = { innovative: 20, exploratory: 15, demonstrative: 15, replicable: 15, sustainable: 10 }
    for (const [ex, pid, submit] of [
      [submitter, projects[0].id, true],
      [drafter, projects[1].id, false],
    ]) {
      const api = await apiAs(ex.username, ex.password)
      await api('PUT', `/api/v1/review/rounds/${round.id}/projects/${pid}/score`, { points, comment: '', submit })
      api.dispose()
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    t.after(() => context.close())
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)

    // ---- conflicts and moving one project on the round's page -----------------------------------
    await withShot(t, 'reassign', page, async () => {
      await signInAt(page, base, adminUser, adminPassword)
      await page.goto(`${base}/admin/rounds?edition=${edition.id}&round=${round.id}`)
      const detail = page.locator(`[data-testid="round-detail"][data-round-id="${round.id}"][data-status="open"]`)
      await detail.waitFor()
      const table = detail.locator('[data-testid="assignments-table"]')
      await table.locator(`[data-testid="assignment-expert"][data-expert-id="${submitter.id}"][data-score="submitted"]`).waitFor()
      await table.locator(`[data-testid="assignment-expert"][data-expert-id="${drafter.id}"][data-score="draft"]`).waitFor()

      // The spare expert is declared in conflict with project 1's unit, with a reason.
      const conflicts = detail.locator('[data-testid="round-conflicts"]')
      await conflicts.locator('[data-testid="conflicts-toggle"]').click()
      await conflicts.locator('[data-testid="conflicts-table"]').waitFor()
      await conflicts.locator('[data-testid="conflict-add"]').click()
      const cd = page.locator('.el-dialog[data-testid="conflict-dialog"]:visible')
      await cd.waitFor()
      await pick(page, cd.locator('[data-testid="conflict-expert-select"]'), spare.name)
      await pick(page, cd.locator('[data-testid="conflict-unit-select"]'), projects[1].unitName)
      await cd.locator('[data-testid="conflict-save"]').click()
      await cd.locator('[data-testid="conflict-problem"]').getByText('请填写原因').waitFor()
      await cd.locator('#conflict-reason').fill(`其配偶在${projects[1].unitName}任职`)
      await cd.locator('[data-testid="conflict-save"]').click()
      await cd.waitFor({ state: 'hidden' })
      const row = conflicts.locator('.el-table__row', { has: page.locator(`[data-testid="conflict-expert"][data-expert-id="${spare.id}"]`) })
      const declared = row.locator(`[data-testid="conflict-declared"][data-unit-id="${projects[1].unitID}"]`)
      await declared.getByText(`其配偶在${projects[1].unitName}任职`).waitFor()
      await declared.getByText(`管理员 ${adminUser} 添加`).or(declared.getByText('管理员 组委会管理员 添加')).waitFor()

      // Project 0's only expert has submitted: nothing to move there.
      assert.equal(await table.locator(`[data-testid="reassign-open"][data-project-id="${projects[0].id}"]`).isDisabled(), true)

      // Project 1 to the conflicted expert: refused, the conflict named.
      await table.locator(`[data-testid="reassign-open"][data-project-id="${projects[1].id}"]`).click()
      const dialog = page.locator('.el-dialog[data-testid="reassign-dialog"]:visible')
      await dialog.waitFor()
      await pick(page, dialog.locator('[data-testid="reassign-to"]'), spare.name)
      await dialog.locator('#reassign-reason').fill('原专家出差，无法按期完成评审')
      await dialog.locator('[data-testid="reassign-save"]').click()
      await confirmBox(page)
      await dialog.locator('[data-testid="reassign-problem"]').getByText(`其配偶在${projects[1].unitName}任职`).waitFor()

      // To the expert who has project 2: made, with the balance rule's warning and the loads.
      await pick(page, dialog.locator('[data-testid="reassign-to"]'), third.name)
      await dialog.locator('[data-testid="reassign-save"]').click()
      await confirmBox(page)
      await dialog.locator('[data-testid="reassign-warning"]').waitFor()
      await dialog.locator('[data-testid="reassign-draft"]').waitFor()
      const loads = dialog.locator('[data-testid="reassign-loads"] .el-table__row')
      assert.equal(await loads.count(), 4)
      assert.match(await loads.filter({ hasText: third.name }).innerText(), /\s1\s+2\s*$/)
      assert.match(await loads.filter({ hasText: drafter.name }).innerText(), /\s1\s+0\s*$/)
      await keep(page, 'reassigned')
      await dialog.locator('[data-testid="reassign-done"]').click()
      await dialog.waitFor({ state: 'hidden' })
      await table.locator(`[data-testid="assignment-expert"][data-expert-id="${third.id}"]`).nth(1).waitFor()
    })
    const afterMove = (await admin('GET', `/api/v1/rounds/${round.id}/assignments`)).projects
    assert.deepEqual(ownerOf(afterMove, projects[1].id), [third.id], 'project 1 moved to the third expert')
    assert.deepEqual(ownerOf(afterMove, projects[0].id), [submitter.id], 'the submitted score stays')
    assert.deepEqual(ownerOf(afterMove, projects[2].id), [third.id], 'the rest of the assignment is untouched')
    const audit = await admin('GET', `/api/v1/audit?entity=round&entity_id=${round.id}&limit=5`)
    assert.ok(JSON.stringify(audit).includes('round.reassign'), 'the move is audited')
    const thirdAPI = await apiAs(third.username, third.password)
    const notes = await thirdAPI('GET', '/api/v1/notifications')
    assert.ok(JSON.stringify(notes).includes('round.assigned'), 'the new expert is notified')
    thirdAPI.dispose()

    // ---- the holiday calendar on the edition page -------------------------------------------------
    const today = beijingDate(Date.now())
    const off = [1, 2, 3].map((n) => addDays(today, n))
    let saturday = addDays(today, 4)
    while (weekday(saturday) !== 6) saturday = addDays(saturday, 1)
    let friday = addDays(today, 4)
    while (weekday(friday) !== 5) friday = addDays(friday, 1)
    await withShot(t, 'calendar', page, async () => {
      await page.goto(`${base}/admin/editions`)
      const row = page.locator('.el-table__row', { hasText: edition.title })
      await row.locator('[data-testid="edition-calendar"]').click()
      const dialog = page.locator('.el-dialog[data-testid="calendar-dialog"]:visible')
      await dialog.waitFor()
      const addDay = async (kind, day) => {
        const input = dialog.locator(`#calendar-${kind}-input`)
        await input.click()
        await input.fill(day)
        await input.press('Enter')
        await dialog.locator(`[data-testid="calendar-${kind}-add"]`).click()
      }
      for (const day of off) await addDay('off', day)
      await addDay('off', off[0])
      await dialog.locator('[data-testid="calendar-off-problem"]').getByText(`${off[0]} 已在列表中`).waitFor()
      await addDay('work', friday)
      await dialog.locator('[data-testid="calendar-work-problem"]').getByText('调休上班日只能是周六或周日').waitFor()
      await addDay('work', saturday)
      await dialog.locator(`[data-testid="calendar-work"] [data-testid="calendar-day"][data-day="${saturday}"]`).waitFor()
      assert.equal(await dialog.locator('[data-testid="calendar-off"] [data-testid="calendar-day"]').count(), 3)
      await keep(page, 'calendar')
      await dialog.locator('[data-testid="calendar-save"]').click()
      await dialog.waitFor({ state: 'hidden' })
    })
    assert.deepEqual(await admin('GET', `/api/v1/editions/${edition.id}/calendar`), { days_off: off, working_days: [saturday] })

    // ---- close, publish with the window -------------------------------------------------------------
    await admin('POST', `/api/v1/rounds/${round.id}/status`, { status: 'closed' })
    const expected = addWorkingDays(today, 5, new Set(off), new Set([saturday]))
    const plain = addWorkingDays(today, 5, new Set(), new Set())
    assert.notEqual(expected, plain, 'the holiday moves the end of the window')
    const tomorrow9 = `${off[0]} 09:00`
    let published
    await withShot(t, 'publish', page, async () => {
      await page.goto(`${base}/admin/rounds?edition=${edition.id}&round=${round.id}`)
      const detail = page.locator(`[data-testid="round-detail"][data-round-id="${round.id}"][data-status="closed"]`)
      await detail.waitFor()
      await detail.locator('[data-testid="round-publish"]').click()
      const dialog = page.locator('.el-dialog[data-testid="publish-dialog"]:visible')
      const dflt = dialog.locator('[data-testid="publish-default"]')
      await dflt.waitFor()
      assert.equal(beijingDate(Date.parse(await dflt.getAttribute('data-until'))), expected, 'the default window skips the holiday')
      assert.match(await dflt.innerText(), new RegExp(`至 ${expected} 23:59，共 5 个工作日`))
      assert.match(await dflt.innerText(), /放假 3 天，调休上班 1 天/)
      await dialog.locator('[data-testid="publish-days"][data-days="5"]').waitFor()
      // The window opens tomorrow at 09:00.
      const from = dialog.locator('#publish-from')
      await from.click()
      await from.fill(tomorrow9)
      await from.press('Enter')
      await dialog.locator('[data-testid="publish-days"][data-days="5"]').waitFor()
      await keep(page, 'publish')
      const done = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rounds/${round.id}/status`) && r.request().method() === 'POST')
      await dialog.locator('[data-testid="publish-submit"]').click()
      await confirmBox(page)
      published = await (await done).json()
      await page.locator(`[data-testid="round-detail"][data-round-id="${round.id}"][data-status="published"]`).waitFor()
    })
    assert.equal(published.round.status, 'published')

    // ---- the public page shows the window; an objection before it opens is refused -----------------
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    t.after(() => visitor.close())
    const pub = await visitor.newPage()
    pub.setDefaultTimeout(15_000)
    await withShot(t, 'public', pub, async () => {
      await pub.goto(`${base}/results`)
      const card = pub.locator(`[data-testid="publication"][data-round-id="${round.id}"]`)
      await card.waitFor()
      const range = card.locator('[data-testid="objection-window-range"]')
      await range.waitFor()
      assert.equal(await card.locator('[data-testid="objection-window"]').getAttribute('data-open'), 'false')
      assert.match(await range.innerText(), new RegExp(`公示期：${tomorrow9} 至 ${expected} 23:59`))
      await card.getByText('公示未开始').waitFor()
      await keep(pub, 'results')
    })
    const anon = await request.newContext({ baseURL: base })
    t.after(() => anon.dispose())
    const res = await anon.post(`/api/v1/results/${round.id}/objections`, {
      data: { name: '王先生', contact: '13800001111', body: '对该轮结果有疑问，请核实评分情况。' },
    })
    assert.equal(res.status(), 409)
    assert.match(await res.text(), /has not opened yet/)
  })
})
