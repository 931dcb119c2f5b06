// No page of the product scrolls sideways on a 360 px phone (issue #15, item 10). Each page is
// visited as the role that uses it (the public, a unit, an expert, the admin) at 360×740 with a
// phone's viewport, and document.scrollingElement.scrollWidth must not exceed its clientWidth; the
// elements that stick out are named in the failure. On the project editor the sticky header must
// leave the phone its screen (at most a sixth of its height), and the submission history's "查看"
// must not be clipped.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, png, signIn, uploadPNG } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const shots = process.env.LEITAI_E2E_ARTIFACTS
let browser

before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const password = `narrow-pass-${suffix}`
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** sideways measures the page's horizontal overflow and names the elements past its right edge. */
function sideways(page) {
  return page.evaluate(() => {
    const se = document.scrollingElement
    const width = se.clientWidth
    const out = []
    /**
     * scrolled is whether an ancestor of e inside the screen scrolls or clips it sideways: a wide
     * table's own scroll, or a label cut with an ellipsis, is by design; only what no ancestor holds
     * sticks out of the page (and is cut off only if the page itself hides its overflow).
     */
    const scrolled = (e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX
        if (ox !== 'visible' && a.getBoundingClientRect().right <= width + 0.5) return true
      }
      return false
    }
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect()
      // Element Plus's table scrolls its header with its body (the header's own overflow is hidden).
      if (r.width === 0 || r.right <= width + 0.5 || scrolled(e) || e.closest('.el-table')) continue
      if (getComputedStyle(e).visibility === 'hidden') continue
      // Only the outermost offender of each branch: its children stick out because it does.
      const parent = e.parentElement?.getBoundingClientRect()
      if (parent && parent.right > width + 0.5 && !scrolled(e.parentElement)) continue
      out.push(`${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (right ${r.right.toFixed(0)}: ${e.outerHTML.slice(0, 80)})`)
    }
    return { scrollWidth: se.scrollWidth, clientWidth: width, offenders: out.slice(0, 8) }
  })
}

async function expectNoSideways(t, page, name) {
  // Let the page settle (fonts, images, lists) before measuring.
  await page.waitForLoadState('networkidle')
  const m = await sideways(page)
  if (shots) await page.screenshot({ path: join(shots, `narrow_360_${name}.png`), fullPage: true })
  t.diagnostic(`${name}: scrollWidth ${m.scrollWidth} / clientWidth ${m.clientWidth}${m.offenders.length ? `; past the edge: ${m.offenders.join(', ')}` : ''}`)
  assert.ok(m.scrollWidth <= m.clientWidth, `${name} scrolls sideways at 360 px by ${m.scrollWidth - m.clientWidth} px: ${m.offenders.join(', ')}`)
  // Nor is anything cut off at the right edge (content past it that no scroll container holds).
  assert.deepEqual(m.offenders, [], `${name}: content past the right edge at 360 px`)
}

describe('no page scrolls sideways at 360 px', () => {
  let setup
  before(async () => {
    const admin = await apiAs(base, adminUser, adminPassword)
    try {
      const now = Date.now()
      // The running edition (the newest active one): this year's, as the portal test makes.
      const edition = await admin('POST', '/api/v1/editions', {
        year: new Date().getFullYear(),
        title: `${new Date().getFullYear()}年惠州市社会治理创新十大项目（窄屏测试${suffix}）`,
        categories: ['基层治理', '平安建设'],
        opens_at: new Date(now - 3600_000).toISOString(),
        closes_at: new Date(now + 7 * 86400_000).toISOString(),
        grace_minutes: 0,
        quota_per_unit: 3,
        status: 'active',
      })
      const unit = await admin('POST', '/api/v1/units', { kind: 'city', name: `窄屏测试社区${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
      const unitUser = `narrowunit${suffix}`
      await admin('POST', '/api/v1/users', { username: unitUser, password, display_name: '窄屏申报员', roles: ['unit'], unit_id: unit.id })
      const unitAPI = await apiAs(base, unitUser, password)
      const fields = {
        category: '基层治理',
        summary: '以网格为单元整合力量，群众诉求“小事不出网格”。',
        problem: '群众诉求渠道分散。',
        approach: '划细网格，建立队伍，闭环受理。',
        results: '累计化解矛盾纠纷236宗。',
        replicability: '流程已标准化。',
        sustainability: '纳入年度预算。',
        start_date: '2023-03-01',
        contact_name: '李网格',
        contact_phone: '13800001234',
      }
      // A submitted project (its history has a version) and a draft with attachments.
      const submitted = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${submitted.id}`, { title: '“红色网格+”多元共治工作法推动基层治理规范化', ...fields })
      await uploadPNG(unitAPI, submitted.id, '社区议事会现场照片（2024年第三季度）.png', png(320, 200, 30))
      await unitAPI('POST', `/api/v1/projects/${submitted.id}/submit`)
      const draft = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${draft.id}`, { title: '长者饭堂', ...fields })
      await uploadPNG(unitAPI, draft.id, '长者饭堂开餐现场照片_街道办事处提供_final_v2.png', png(320, 200, 120))
      await uploadPNG(unitAPI, draft.id, '照片2.png', png(200, 320, 200))
      unitAPI.dispose()
      const expertUser = `narrowexpert${suffix}`
      await admin('POST', '/api/v1/users', { username: expertUser, password, display_name: '窄屏评审专家', roles: ['expert'] })
      setup = { edition, unitUser, expertUser, submitted, draft }
    } finally {
      admin.dispose()
    }
  })

  test('the public pages and the login', async (t) => {
    const ctx = await browser.newContext(PHONE)
    t.after(() => ctx.close())
    const page = await ctx.newPage()
    for (const [name, path, ready] of [
      ['home', '/', 'main'],
      ['results', '/results', 'main'],
      ['tracker', '/tracker', 'main'],
      ['login', '/login', 'input[name="username"]'],
      ['not-found', '/no-such-page', 'main'],
    ]) {
      await page.goto(`${base}${path}`)
      await page.locator(ready).first().waitFor()
      await expectNoSideways(t, page, name)
    }
  })

  test("a unit's portal: the list, the editor with attachments, the submission history", async (t) => {
    const ctx = await browser.newContext(PHONE)
    t.after(() => ctx.close())
    const page = await ctx.newPage()
    await signIn(page, base, setup.unitUser, password)
    await page.goto(`${base}/portal`)
    await page.locator('[data-testid="edition-banner"]').waitFor()
    await expectNoSideways(t, page, 'portal')

    // The draft with its attachments: rows with their actions.
    await page.goto(`${base}/portal/projects/${setup.draft.id}`)
    await page.getByText('长者饭堂开餐现场照片_街道办事处提供_final_v2.png').first().waitFor()
    await expectNoSideways(t, page, 'editor-draft')
    const sticky = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => getComputedStyle(e).position === 'sticky' && e.getBoundingClientRect().height > 0)
        .map((e) => ({ cls: String(e.className), height: e.getBoundingClientRect().height })),
    )
    const vh = PHONE.viewport.height
    t.diagnostic(`editor sticky parts at 360×740: ${sticky.map((s) => `${s.cls} ${s.height.toFixed(0)} px`).join(', ')}`)
    for (const s of sticky) assert.ok(s.height <= vh / 6, `the sticky ${s.cls} takes ${s.height.toFixed(0)} of ${vh} px`)

    // The submitted project: its history, with "查看" whole.
    await page.goto(`${base}/portal/projects/${setup.submitted.id}`)
    await page.locator('[data-testid="versions"] .versions__item').first().waitFor()
    await expectNoSideways(t, page, 'editor-submitted')
    const view = await page.evaluate(() => {
      const item = document.querySelector('[data-testid="versions"] .versions__item')
      const b = item.querySelector('button')
      const ib = item.getBoundingClientRect()
      const bb = b.getBoundingClientRect()
      const span = b.querySelector('span') ?? b
      return { inside: bb.left >= ib.left - 0.5 && bb.right <= ib.right + 0.5, clipped: span.scrollWidth > span.clientWidth + 1 || bb.width < span.scrollWidth, text: b.textContent.trim(), width: bb.width }
    })
    t.diagnostic(`history button "${view.text}" ${view.width.toFixed(0)} px wide`)
    assert.ok(view.inside && !view.clipped, `the history's "${view.text}" is clipped (${view.width.toFixed(0)} px)`)
  })

  test("the admin's and an expert's pages", async (t) => {
    const ctx = await browser.newContext(PHONE)
    t.after(() => ctx.close())
    const page = await ctx.newPage()
    await signIn(page, base, adminUser, adminPassword)
    for (const [name, path] of [
      ['admin', '/admin'],
      ['admin-submissions', '/admin/submissions'],
      ['admin-audit', '/admin/audit'],
      ['admin-live', '/admin/live'],
    ]) {
      await page.goto(`${base}${path}`)
      await page.locator('main h1').first().waitFor()
      await expectNoSideways(t, page, name)
      if (name === 'admin') {
        // The front door (issue #15, item 17): the running edition and what needs the organiser.
        const state = page.locator('[data-testid="overview-edition"][data-state="ready"]')
        await state.waitFor()
        assert.match(await state.innerText(), new RegExp(`窄屏测试${suffix}`))
        assert.equal(await page.locator('[data-testid="todo-eligibility"]').getAttribute('data-count'), '1')
        assert.equal(await page.locator('[data-testid="overview-statuses"] [data-status="draft"]').getAttribute('data-count'), '1')
        assert.equal(await page.locator('[data-testid="overview-statuses"] [data-status="submitted"]').getAttribute('data-count'), '1')
        await page.locator('[data-testid="todo-ties"]').waitFor()
        await page.locator('[data-testid="todo-objections"]').waitFor()
      }
      if (name === 'admin-audit') {
        // The log speaks words, with the code in the tooltip (issue #15, item 16).
        await page.locator('.audit__action').first().waitFor()
        const actions = await page.$$eval('.audit__action', (els) => els.map((e) => ({ text: e.textContent.trim(), code: e.dataset.action, title: e.title })))
        const raw = actions.filter((a) => /^[a-z_]+\.[a-z_]+$/.test(a.text) || a.title !== a.code)
        assert.deepEqual(raw, [], 'audit actions shown as codes')
      }
    }
    const expert = await browser.newContext(PHONE)
    t.after(() => expert.close())
    const ep = await expert.newPage()
    await signIn(ep, base, setup.expertUser, password)
    for (const [name, path] of [
      ['review', '/review'],
      ['checks', '/checks'],
    ]) {
      await ep.goto(`${base}${path}`)
      await ep.locator('main h1').first().waitFor()
      await expectNoSideways(t, ep, name)
    }
  })
})
