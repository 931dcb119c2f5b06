// County recommendation (县区推荐) end to end in real Chromium against the suite's server (SQLite or
// PostgreSQL, scripts/e2e.sh), with e-mail read back from the real Mailpit the script starts. Set up
// through the API (the demo's edition keeps the step off): an edition with the step on and a quota
// of two for a county, a town's unit with three submissions. In the browser the county's recommender
// recommends two and returns the third with a reason (a return without one is refused by the form);
// the quota shows none left; the unit sees the reason on its project; the city sees who
// recommended; the return's e-mail with the reason arrives in Mailpit.
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, signIn, uploadPNG } from './support.mjs'

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`
const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const mailAPI = `${process.env.LEITAI_E2E_MAILPIT}/api/v1`
const dir = tmpdir()
let browser

before(async () => {
  if (!adminUser || !adminPassword) throw new Error('LEITAI_E2E_ADMIN_USER and LEITAI_E2E_ADMIN_PASSWORD must be set (scripts/e2e.sh does).')
  if (!process.env.LEITAI_E2E_MAILPIT) {
    throw new Error('LEITAI_E2E_MAILPIT is not set: run scripts/e2e.sh with LEITAI_TEST_MAILPIT (eval "$(scripts/provision.sh)") so the server sends to a real Mailpit.')
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** inContext runs fn on a fresh page and screenshots it when fn fails. */
async function inContext(t, label, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (err) => errors.push(err))
  try {
    await fn(page)
    if (errors.length) throw new Error(`uncaught error in the page: ${errors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const file = join(process.env.LEITAI_E2E_ARTIFACTS || dir, `recommend_${label}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    if (err instanceof Error) err.message += `\n  screenshot: ${file}`
    throw err
  } finally {
    await context.close()
  }
}

/** field finds the input of an Element Plus field by its test id (on the input or around it). */
function field(page, id) {
  return page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()
}

/** mailTo waits until Mailpit has a message to address whose subject contains text, and returns it with its text. */
async function mailTo(address, text) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const list = await (await fetch(`${mailAPI}/messages?limit=100`)).json()
    const hit = (list.messages ?? []).find((m) => m.To.some((to) => to.Address === address) && m.Subject.includes(text))
    if (hit) return (await fetch(`${mailAPI}/message/${hit.ID}`)).json()
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`no e-mail to ${address} about ${text} within a minute`)
}

const fields = (title) => ({
  title,
  category: '基层治理',
  summary: '以网格为单元，推动矛盾就地化解。',
  problem: '基层矛盾多、响应慢。',
  approach: '一是划网格；二是配网格员；三是建台账。',
  results: '化解矛盾320件，满意度96%。',
  replicability: '工作流程已标准化。',
  sustainability: '纳入镇街年度考核。',
  start_date: '2023-05-01',
  contact_name: '李主任',
  contact_phone: '13800004321',
})

describe('county recommendation', () => {
  test('a county recommender recommends two, returns one with a reason; the unit sees it; an e-mail arrives', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `推荐市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const county = await admin('POST', '/api/v1/units', { kind: 'county', name: `推荐县${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
    const town = await admin('POST', '/api/v1/units', { kind: 'town', name: `推荐镇${suffix}`, parent_id: county.id, contact_name: '', contact_phone: '' })
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      // An old year: never the "current" edition other tests expect to be theirs.
      year: 2000 + Math.floor(Math.random() * 20),
      title: `推荐测试届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 5,
      status: 'active',
      recommend_step: true,
      recommend_quotas: [{ unit_id: county.id, quota: 2 }],
    })
    assert.equal(edition.recommend_step, true)
    const unitName = `recunit${suffix}`
    const unitPassword = `rec-unit-${suffix}`
    const email = `recunit-${suffix}@example.org`
    await admin('POST', '/api/v1/users', { username: unitName, password: unitPassword, display_name: '推荐镇申报员', roles: ['unit'], unit_id: town.id, email })
    const recName = `recommender${suffix}`
    const recPassword = `recommender-${suffix}`
    await admin('POST', '/api/v1/users', { username: recName, password: recPassword, display_name: '县推荐员', roles: ['recommender'], unit_id: county.id })
    const unitAPI = await apiAs(base, unitName, unitPassword)
    t.after(() => unitAPI.dispose())
    const ids = []
    for (const title of [`网格甲${suffix.slice(-3)}`, `网格乙${suffix.slice(-3)}`, `网格丙${suffix.slice(-3)}`]) {
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, fields(title))
      await uploadPNG(unitAPI, p.id, '现场.png')
      await unitAPI('POST', `/api/v1/projects/${p.id}/submit`, {})
      ids.push(p.id)
    }
    const [a, b, c] = ids
    const reason = `请补充群众满意度调查的样本量${suffix.slice(-3)}`

    await inContext(t, 'recommender', async (page) => {
      await signIn(page, base, recName, recPassword)
      await page.goto(`${base}/recommend?edition=${edition.id}`)
      await page.getByTestId(`quota-${county.id}`).filter({ hasText: '剩余 2 个' }).waitFor()
      for (const id of [a, b]) {
        await page.getByTestId(`rec-recommend-${id}`).click()
        await field(page, 'recommend-text').fill('成效突出，建议推荐')
        await page.getByTestId('recommend-confirm').click()
        await page.locator(`[data-testid="rec-status-${id}"] [data-status="recommended"]`).waitFor()
      }
      await page.getByTestId(`quota-${county.id}`).filter({ hasText: '剩余 0 个' }).waitFor()
      await page.getByTestId(`rec-return-${c}`).click()
      // A return needs its reason: the button waits for one.
      assert.equal(await page.getByTestId('recommend-confirm').isDisabled(), true)
      await field(page, 'recommend-text').fill(reason)
      await page.getByTestId('recommend-confirm').click()
      await page.locator(`[data-testid="rec-status-${c}"] [data-status="returned_by_recommender"]`).waitFor()
      await page.getByTestId('recommend-table').getByText(reason).waitFor()
      if (process.env.LEITAI_E2E_ARTIFACTS) await page.screenshot({ path: join(process.env.LEITAI_E2E_ARTIFACTS, 'recommend_console.png'), fullPage: true })
    })

    // The unit sees the reason on its project and can edit it again.
    await inContext(t, 'unit', async (page) => {
      await signIn(page, base, unitName, unitPassword)
      await page.goto(`${base}/portal/projects/${c}`)
      await page.getByTestId('returned-note').filter({ hasText: reason }).waitFor()
    })

    // The city sees who recommended, with the comment.
    const seen = await admin('GET', `/api/v1/projects/${a}`)
    assert.equal(seen.status, 'recommended')
    assert.equal(seen.recommendation.by, recName)
    assert.equal(seen.recommendation.root_name, county.name)
    // The unit submits it again; beyond the quota the server says so (409 naming the quota).
    await unitAPI('POST', `/api/v1/projects/${c}/submit`, {})
    const recAPI = await apiAs(base, recName, recPassword)
    t.after(() => recAPI.dispose())
    await assert.rejects(recAPI('POST', `/api/v1/projects/${c}/recommend`, {}), / 409 .*quota/)

    // The return's e-mail reached the SMTP server with the reason and the link.
    const mail = await mailTo(email, '推荐单位退回')
    assert.ok(mail.Text.includes(reason), `the e-mail gives the reason: ${mail.Text}`)
    assert.ok(mail.Text.includes(`${base}/portal/projects/${c}`), `the e-mail links the project: ${mail.Text}`)
    await mailTo(email, '项目已获推荐')
  })
})
