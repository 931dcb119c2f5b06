// Blind rounds that are really blind (#13), end to end against a live server. Set up through the
// API with the admin's session: an edition, a city department whose project's texts name it (its
// full name, its short form, the contact phone; the photo's file name too), a second project that
// names nothing, an expert and a blind round assigned to that expert. Then in the browser: the
// admin's round page says one project still names its unit; opening the round warns and is
// cancelled; in the redaction dialog the admin masks one highlighted place with a click, the rest
// with "全部遮盖", edits the copy by hand and saves; the round then opens without the warning. The
// expert, on a 1024×768 tablet, reads the redacted text on the scoring page, and neither the page
// nor any API response it loads holds the unit's name, its short form or the phone. Run with
// `npm run test:e2e`; scripts/e2e.sh sets the variables below.
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
// Unit names are unique: a tag of Chinese characters from the run's suffix keeps the names
// realistic ("市甲子民政局"), so that the short form ("甲子民政局") is a real one.
const GLYPHS = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土东南西北上中下'
const tag = Array.from(suffix)
  .map((c) => GLYPHS[parseInt(c, 36) % GLYPHS.length])
  .join('')

const apiAs = (username, password) => apiAt(base, username, password)
const signIn = (page, username, password) => signInAt(page, base, username, password)

/** screenshotOnFailure runs fn(page) and saves a full-page screenshot when it fails. */
async function screenshotOnFailure(t, label, page, fn) {
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err))
  try {
    await fn(page)
    if (pageErrors.length > 0) throw new Error(`uncaught error in the page: ${pageErrors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const dir = process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-e2e-')))
    const file = join(dir, `blind_${label.replace(/[^\w-]+/g, '_')}.png`)
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

describe('blind rounds', () => {
  test('the admin redacts the unit from a blind round and the expert reads only the redacted text', async (t) => {
    const admin = await apiAs(adminUser, adminPassword)
    t.after(() => admin.dispose())
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      year: new Date().getFullYear() - 3, // never the "current" edition
      title: `盲评测试届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `盲评市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const unitName = `市${tag}民政局`
    const short = `${tag}民政局`
    const phone = '0752-2345678'
    const unit = await admin('POST', '/api/v1/units', { kind: 'department', name: unitName, parent_id: city.id, contact_name: '', contact_phone: '' })
    const username = `blunit${suffix}`
    const password = `bl-unit-pass-${suffix}`
    await admin('POST', '/api/v1/users', { username, password, display_name: `${unitName}申报员`, roles: ['unit'], unit_id: unit.id })
    const unitAPI = await apiAs(username, password)
    const texts = {
      category: '基层治理',
      problem: '群众诉求渠道分散，矛盾纠纷多。',
      approach: '一是划细网格；二是建立队伍；三是用小程序闭环受理。',
      results: `累计化解矛盾纠纷236宗，咨询电话 ${phone.replace('-', ' ')}。`,
      replicability: '流程和培训手册已标准化，可复制推广。',
      sustainability: '纳入年度工作要点和财政预算。',
      start_date: '2023-03-01',
      contact_name: '王联络',
      contact_phone: phone,
    }
    const named = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
    await unitAPI('PUT', `/api/v1/projects/${named.id}`, {
      ...texts,
      title: `中介超市${suffix.slice(-3)}`,
      summary: `${unitName}立足基层实际，由${short}牵头，集中进驻、公开比选。`,
    })
    await uploadPNG(unitAPI, named.id, `${unitName}现场照片.png`)
    await unitAPI('POST', `/api/v1/projects/${named.id}/submit`)
    const plain = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
    await unitAPI('PUT', `/api/v1/projects/${plain.id}`, {
      ...texts,
      results: '累计化解矛盾纠纷236宗。',
      title: `网格议事${suffix.slice(-3)}`,
      summary: '项目立足基层实际，群众诉求小事不出网格。',
    })
    await uploadPNG(unitAPI, plain.id, '照片.png')
    await unitAPI('POST', `/api/v1/projects/${plain.id}/submit`)
    unitAPI.dispose()
    await admin('POST', '/api/v1/projects/eligibility', { project_ids: [named.id, plain.id], eligible: true, reason: `${unitName}材料齐全` })

    const expert = { username: `blexpert${suffix}`, password: `bl-expert-pass-${suffix}` }
    const expertUser = await admin('POST', '/api/v1/users', { ...expert, display_name: '盲评专家', roles: ['expert'] })
    const roundName = `盲评${suffix.slice(-5)}`
    const round = await admin('POST', `/api/v1/editions/${edition.id}/rounds`, {
      name: roundName,
      kind: 'online',
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 3 * 86400_000).toISOString(),
      reviewers_per_project: 1,
      method: 'mean',
      trim: 0,
      key_criterion: 'innovative',
      blind: true,
    })
    await admin('PUT', `/api/v1/rounds/${round.id}/experts`, { expert_ids: [expertUser.id] })
    await admin('POST', `/api/v1/rounds/${round.id}/assign`, { seed: 7 })

    // ---- the admin: the warning, the redaction, the opening --------------------------------------
    const adminContext = await browser.newContext({ viewport: { width: 1366, height: 900 } })
    const adminPage = await adminContext.newPage()
    adminPage.setDefaultTimeout(15_000)
    t.after(() => adminContext.close())
    await screenshotOnFailure(t, 'admin redacts', adminPage, async (page) => {
      await signIn(page, adminUser, adminPassword)
      await page.goto(`${base}/admin/rounds`)
      await page.locator('[data-testid="rounds-edition"]').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: edition.title }).click()
      await page.locator(`[data-testid="rounds-table"] [data-round-name="${roundName}"]`).click()
      const detail = page.locator(`[data-testid="round-detail"][data-round-id="${round.id}"]`)
      await detail.waitFor()
      const redactButton = detail.locator('[data-testid="round-blind-redact"]')
      await redactButton.getByText('1 个项目待处理').waitFor()

      // Opening warns that a project still names its unit; cancelling leaves the round a draft.
      await detail.locator('[data-testid="round-open"]').click()
      const first = page.locator('.el-message-box:visible')
      await first.waitFor()
      const refused = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rounds/${round.id}/status`))
      await first.locator('.el-button--primary').click()
      assert.equal((await refused).status(), 409)
      const warning = page.locator('.round-confirm--unredacted:visible')
      await warning.waitFor()
      assert.match(await warning.innerText(), /有 1 个项目的文本仍点名申报单位/)
      await warning.locator('.el-button:not(.el-button--primary)').click()
      await warning.waitFor({ state: 'hidden' })
      assert.equal(await detail.getAttribute('data-status'), 'draft')

      // The dialog: the named project first, its hits highlighted.
      await redactButton.click()
      const dialog = page.locator('.el-dialog[data-testid="blind-dialog"]:visible')
      await dialog.waitFor()
      assert.equal(await dialog.locator('[data-testid="blind-summary"]').getAttribute('data-left'), '1')
      const editor = dialog.locator(`[data-testid="blind-editor"][data-project-id="${named.id}"]`)
      await editor.waitFor()
      const summary = editor.locator('[data-testid="blind-copy-summary"]')
      const summaryHits = summary.locator('[data-testid="blind-hit"]')
      assert.deepEqual(await summaryHits.allInnerTexts(), [unitName, short])
      if (process.env.LEITAI_E2E_ARTIFACTS) await page.screenshot({ path: join(process.env.LEITAI_E2E_ARTIFACTS, 'blind_dialog.png') })
      assert.deepEqual(await editor.locator('[data-testid="blind-copy-results"] [data-testid="blind-hit"]').allInnerTexts(), [phone.replace('-', ' ')])
      // One click masks the full name (with the default mask 【单位】)…
      await summaryHits.first().click()
      assert.equal(await summary.innerText(), `【单位】立足基层实际，由${short}牵头，集中进驻、公开比选。`)
      // …"■■" and "全部遮盖" the rest.
      await editor.locator('label', { hasText: '■■' }).click()
      await editor.locator('[data-testid="blind-redact-all"]').click()
      assert.equal(await summary.innerText(), '【单位】立足基层实际，由■■牵头，集中进驻、公开比选。')
      assert.equal(await editor.locator('[data-testid="blind-hit"]').count(), 0)
      // A manual touch to the copy.
      await editor.locator('[data-testid="blind-edit"]').click()
      const area = editor.locator('[data-testid="blind-text-approach"] textarea, textarea[data-testid="blind-text-approach"]')
      await area.fill('一是划细网格；二是建立队伍；三是闭环受理。')
      const saved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/rounds/${round.id}/blind/${named.id}`) && r.request().method() === 'PUT')
      await editor.locator('[data-testid="blind-save"]').click()
      const body = await (await saved).json()
      assert.equal(body.unredacted, 0)
      assert.equal(body.copy.summary, '【单位】立足基层实际，由■■牵头，集中进驻、公开比选。')
      assert.equal(body.copy.approach, '一是划细网格；二是建立队伍；三是闭环受理。')
      await dialog.locator('[data-testid="blind-summary"][data-left="0"]').waitFor()
      await dialog.locator('.el-dialog__headerbtn').click()
      await dialog.waitFor({ state: 'hidden' })
      await redactButton.getByText('盲评脱敏', { exact: true }).waitFor()

      // Now the round opens with the usual confirmation only.
      await detail.locator('[data-testid="round-open"]').click()
      const confirm = page.locator('.el-message-box:visible')
      await confirm.waitFor()
      await confirm.locator('.el-button--primary').click()
      await page.locator(`[data-testid="round-detail"][data-round-id="${round.id}"][data-status="open"]`).waitFor()
    })

    // The original is untouched.
    const original = await admin('GET', `/api/v1/projects/${named.id}`)
    assert.equal(original.summary, `${unitName}立足基层实际，由${short}牵头，集中进驻、公开比选。`)

    // ---- the expert reads the redacted copy, and nothing else ------------------------------------
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    t.after(() => context.close())
    await screenshotOnFailure(t, 'expert reads', page, async (p) => {
      await signIn(p, expert.username, expert.password)
      const bodies = []
      p.on('response', (r) => {
        if (r.url().includes('/api/v1/')) bodies.push(r.text().then((text) => ({ url: r.url(), text }), () => ({ url: r.url(), text: '' })))
      })
      await p.goto(`${base}/review`)
      await p.locator(`[data-testid="review-round"][data-round-id="${round.id}"]`).waitFor()
      await p.goto(`${base}/review/rounds/${round.id}/projects/${named.id}`)
      await p.getByText('【单位】立足基层实际，由■■牵头').first().waitFor()
      await p.getByText('三是闭环受理').first().waitFor()
      await p.locator('[data-testid="criterion"]').first().waitFor()
      // Let the media list and the rest of the page's requests finish.
      await p.waitForLoadState('networkidle')
      const text = await p.locator('body').innerText()
      const html = await p.content()
      for (const leak of [unitName, short, tag, phone, phone.replace('-', ' '), '王联络', '材料齐全']) {
        assert.ok(!text.includes(leak), `the scoring page shows ${leak}`)
        assert.ok(!html.includes(leak), `the scoring page's HTML holds ${leak}`)
      }
      const responses = await Promise.all(bodies)
      assert.ok(responses.some((r) => r.url.includes(`/review/rounds/${round.id}/projects/${named.id}`)), 'the project was loaded')
      for (const r of responses) {
        for (const leak of [unitName, short, tag, phone, phone.replace('-', ' '), '07522345678', '王联络', '材料齐全']) {
          assert.ok(!r.text.includes(leak), `${r.url} holds ${leak}`)
        }
      }
    })
  })
})
