// Follow-through (实施跟踪) end to end in real Chromium. The spec seeds its own server with
// `leitai demo` (a published 初审 in the current edition, a second administrator "finance", units and
// experts) in a throwaway SQLite data dir and serves it on a free port; LEITAI_BIN is the binary
// (scripts/e2e.sh exports it). In the browser: the admin turns two projects of the published round
// into awards and records the signing; the unit proposes the 50/30/20 plan (合计 100%), the admin
// approves it; the unit files the first milestone's report with a photo from a 390 px phone; the
// admin accepts it and approves the tranche — and is then told the four-eyes rule, the pay button
// disabled; the second admin records the payment; the admin assigns an expert to the final
// acceptance, who grades it on a 1024×768 tablet (autosaved draft, then submitted); the public
// tracker, without signing in, shows
// the milestone done and the funds released; the certificate renders with Chinese text and a QR.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { launchBrowser } from './browser.mjs'
import { apiAs, confirmBox, png, signIn } from './support.mjs'

const password = `follow-${Date.now().toString(36)}`
let browser
let server
let dir
let base
let demo

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

before(async () => {
  if (!process.env.LEITAI_BIN) throw new Error('LEITAI_BIN must name the leitai binary (scripts/e2e.sh sets it).')
  const binary = process.env.LEITAI_BIN.startsWith('/') ? process.env.LEITAI_BIN : join(process.cwd(), '..', process.env.LEITAI_BIN)
  dir = await mkdtemp(join(tmpdir(), 'leitai-follow-'))
  // Its own SQLite store and local media, whatever mode the suite runs in; no e-mail (the demo's late
  // reminder is follow_mail.test.mjs's, which counts it in the suite's Mailpit).
  const env = { ...process.env, LEITAI_SMTP_URL: '', LEITAI_DATABASE_URL: '', LEITAI_S3_ENDPOINT: '', LEITAI_DATA_DIR: join(dir, 'data') }
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  demo = JSON.parse(
    execFileSync(binary, ['demo', '--json', '--password', password, '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, encoding: 'utf8' }),
  )
  server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  server?.kill()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** inContext runs fn on a fresh page of the given viewport and screenshots it when fn fails. */
async function inContext(t, label, viewport, fn) {
  const context = await browser.newContext({ viewport, hasTouch: viewport.width < 800 })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (err) => errors.push(err))
  const refused = []
  page.on('response', async (r) => {
    if (r.status() >= 400 && r.url().includes('/api/')) refused.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()} ${await r.text().catch(() => '')}`)
  })
  try {
    await fn(page)
    if (errors.length) throw new Error(`uncaught error in the page: ${errors.map((e) => e.stack || e.message).join('\n')}`)
  } catch (err) {
    const file = join(process.env.LEITAI_E2E_ARTIFACTS || dir, `follow_${label}.png`)
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
    if (err instanceof Error) err.message += `\n  screenshot: ${file}${refused.length ? `\n  refused: ${refused.join('\n  ')}` : ''}`
    throw err
  } finally {
    await context.close()
  }
}

/** field finds the input of an Element Plus field by its test id (on the input or around it). */
function field(page, id) {
  return page.locator(`input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input, [data-testid="${id}"] textarea`).first()
}

const desktop = { width: 1280, height: 900 }
const phone = { width: 390, height: 844 }

describe('follow-through', () => {
  test('awards, plan, a phone report with a photo, four eyes on the payment, the public tracker', async (t) => {
    const admin = await apiAs(base, 'admin', password)
    const results = (await admin('GET', '/api/v1/results')).results
    const pub = results.find((p) => p.round.edition_id === demo.edition_id)
    assert.ok(pub, 'the demo publishes a round of its current edition')
    // The demo funds the top of the ranking already: award two of the others.
    const before = (await admin('GET', `/api/v1/editions/${demo.edition_id}/awards`)).awards
    const awarded = new Set(before.map((a) => String(a.project_id)))
    const fundingBefore = before.reduce((sum, a) => sum + a.funding_fen, 0)
    const [first, second] = pub.ranking.filter((e) => !awarded.has(String(e.project_id)))
    assert.ok(second, 'two projects of the published ranking without an award')
    let awardID

    await inContext(t, 'admin_create', desktop, async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow?edition=${demo.edition_id}`)
      await page.locator('[data-admin-nav="admin-follow"]').waitFor()
      await page.getByTestId('follow-create').click()
      for (const e of [first, second]) {
        await page.getByTestId(`follow-tier-${e.project_id}`).click()
        const option = page.locator('.el-select-dropdown__item:visible', { hasText: '优秀奖' })
        await option.click()
        await option.waitFor({ state: 'hidden' })
        await field(page, `follow-funding-${e.project_id}`).fill('12.345')
      }
      await page.getByTestId('follow-create-submit').click()
      // Three decimals are refused before anything is sent.
      await page.getByText('最多两位小数').first().waitFor()
      for (const e of [first, second]) await field(page, `follow-funding-${e.project_id}`).fill('50,000.00')
      await page.getByTestId('follow-create-submit').click()
      await page.getByTestId(`follow-award-${first.project_id}`).waitFor()
      // The edition's total funding grew by exactly ¥100,000.00 (two awards of ¥50,000.00).
      const fen = String(fundingBefore + 10_000_000)
      const yuan = `${fen.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fen.slice(-2)}`
      assert.match(await page.getByTestId('follow-totals').innerText(), new RegExp(`¥${yuan.replace(/[.]/g, '\\.')}`))
      // The organiser's dashboard: the demo's late report is counted, the county chart is drawn.
      assert.match(await page.getByTestId('dash-overdue').innerText(), /^[1-9]/)
      await page.getByTestId('dash-county-chart').locator('canvas').waitFor()
      await page.getByTestId(`follow-award-${first.project_id}`).click()
      await page.waitForURL(/\/admin\/follow\/awards\/\d+$/)
      awardID = Number(new URL(page.url()).pathname.split('/').pop())
      await page.getByTestId('award-sign').click()
      await page.getByTestId('sign-submit').click()
      await page.getByTestId('award-signed').waitFor()
    })

    const award = await admin('GET', `/api/v1/awards/${awardID}`)
    const units = (await admin('GET', '/api/v1/users?role=unit')).users
    const unitUser = units.find((u) => u.unit_id === award.unit_id)
    assert.ok(unitUser, 'a user of the awarded unit')

    await inContext(t, 'unit_plan', desktop, async (page) => {
      await signIn(page, base, unitUser.username, password)
      await page.goto(`${base}/portal`)
      await page.getByTestId(`follow-card-${awardID}`).waitFor()
      assert.match(await page.getByTestId(`follow-card-status-${awardID}`).innerText(), /实施中/)
      await page.getByTestId(`follow-card-${awardID}`).getByTestId('follow-card-plan').click()
      await page.getByTestId('plan-total').waitFor()
      assert.equal((await page.getByTestId('plan-total').innerText()).trim(), '合计 100%')
      // A share off by ten says so at once and blocks the submission.
      await field(page, 'plan-share-3').fill('10')
      await field(page, 'plan-share-3').blur()
      await page.getByText('合计 90%').waitFor()
      assert.equal(await page.getByTestId('plan-submit').isDisabled(), true)
      await field(page, 'plan-share-3').fill('20')
      await field(page, 'plan-share-3').blur()
      await page.getByText('合计 100%').waitFor()
      // The second milestone is paid once its report is accepted (no expert check).
      await page.getByTestId('plan-gate-2').click()
      const gate = page.locator('.el-select-dropdown__item:visible', { hasText: '报告通过后拨付' })
      await gate.click()
      await gate.waitFor({ state: 'hidden' })
      await page.getByTestId('plan-add-kpi-2').click()
      await field(page, 'plan-kpi-name-2-1').fill('调解案件')
      await field(page, 'plan-kpi-target-2-1').fill('120')
      await page.getByTestId('plan-submit').click()
      await page.getByTestId('plan-pending').waitFor()
    })

    await inContext(t, 'admin_plan', desktop, async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow/awards/${awardID}`)
      await page.getByTestId('plan-approve').click()
      await confirmBox(page)
      await page.getByTestId('plan-status').filter({ hasText: '方案已通过' }).waitFor()
    })

    await inContext(t, 'unit_report_phone', phone, async (page) => {
      await signIn(page, base, unitUser.username, password)
      await page.goto(`${base}/portal`)
      await page.getByTestId(`follow-card-${awardID}`).getByTestId('follow-card-report-2').click()
      await field(page, 'report-text').fill('已完成签约启动，召开动员会 3 场，覆盖 12 个村居。')
      await field(page, 'report-kpi-调解案件').fill('35')
      const overflow = await page.evaluate(() => ({
        by: document.documentElement.scrollWidth - window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5)
          .map((e) => `${e.tagName}.${e.className}`),
      }))
      assert.ok(overflow.by <= 0, `the report form is wider than the phone by ${overflow.by}px: ${overflow.wide.join(', ')}`)
      await page.getByTestId('report-input').setInputFiles({ name: '动员会现场.png', mimeType: 'image/png', buffer: png(640, 480) })
      await page.getByTestId('report-media').locator('li').first().waitFor({ timeout: 30_000 })
      await page.getByTestId('report-submit').click()
      await confirmBox(page)
      await page.getByTestId('report-waiting').waitFor()
    })

    await inContext(t, 'admin_accept_approve', desktop, async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow/awards/${awardID}`)
      await page.getByTestId('report-accept-2').click()
      await confirmBox(page)
      await page.getByTestId('report-status-2').filter({ hasText: '已通过' }).waitFor()
      await page.getByTestId('tranche-approve-2').click()
      await confirmBox(page)
      await page.getByTestId('tranche-state-2').filter({ hasText: '已审批待拨付' }).waitFor()
      await page.getByTestId('four-eyes-2').waitFor()
      assert.equal(await page.getByTestId('tranche-pay-2').isDisabled(), true, 'the approver cannot record the payment')
    })

    await inContext(t, 'finance_pay', desktop, async (page) => {
      // A citizen has the public tracker open before the payment: it updates without a reload.
      const watcherContext = await browser.newContext({ viewport: { width: 390, height: 844 } })
      const watcher = await watcherContext.newPage()
      try {
        await watcher.goto(`${base}/tracker`)
        const released = watcher.getByTestId(`tracker-released-${awardID}`)
        await released.waitFor()
        const before = await released.innerText()
        let navigations = 0
        watcher.on('framenavigated', () => navigations++)

        await signIn(page, base, 'finance', password)
        await page.goto(`${base}/admin/follow/awards/${awardID}`)
        await page.getByTestId('tranche-pay-2').click()
        await field(page, 'pay-reference').fill('HZ-2026-0001')
        await page.getByTestId('pay-submit').click()
        await page.getByTestId('tranche-state-2').filter({ hasText: '已拨付' }).waitFor()
        assert.match(await page.getByTestId('award-paid').innerText(), /¥15,000\.00/)

        await watcher.waitForFunction(
          ([id, old]) => document.querySelector(`[data-testid="tracker-released-${id}"]`)?.textContent !== old,
          [awardID, before],
          { timeout: 10_000 },
        )
        assert.equal(navigations, 0, 'the open tracker page updated without reloading')
      } finally {
        await watcherContext.close()
      }
    })

    await inContext(t, 'admin_check', desktop, async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/admin/follow/awards/${awardID}`)
      await page.getByTestId('check-assign-3').click()
      await page.getByTestId('check-experts').click()
      const expert = page.locator('.el-select-dropdown__item:visible', { hasText: '(expert1)' }).or(page.locator('.el-select-dropdown__item:visible', { hasText: '（expert1）' }))
      await expert.first().click()
      await page.keyboard.press('Escape')
      await page.getByTestId('check-submit').click()
      await page.getByTestId('milestone-3').getByText('待评').waitFor()
    })

    await inContext(t, 'expert_grade_tablet', { width: 1024, height: 768 }, async (page) => {
      await signIn(page, base, 'expert1', password)
      await page.goto(`${base}/checks`)
      const mine = (await (await apiAs(base, 'expert1', password))('GET', '/api/v1/checks')).checks.find((c) => c.award_id === awardID)
      assert.ok(mine, 'the check is listed for its expert')
      await page.getByTestId(`check-open-${mine.id}`).click()
      await page.getByTestId('grade-good').click()
      await field(page, 'check-notes').fill('现场查看：台账齐全，群众知晓率高。')
      // Autosaved as a draft, then submitted after a confirmation.
      await page.locator('[data-testid="check-save-state"][data-state="saved"]').waitFor()
      const draft = await (await apiAs(base, 'expert1', password))('GET', `/api/v1/checks/${mine.id}`)
      assert.equal(draft.grade, 'good')
      assert.equal(draft.submitted, false)
      await page.getByTestId('check-submit').click()
      await confirmBox(page)
      await page.getByText('已提交').first().waitFor()
    })

    await inContext(t, 'tracker', phone, async (page) => {
      await page.goto(`${base}/tracker`)
      await page.getByTestId(`tracker-card-${awardID}`).waitFor()
      const released = page.getByTestId(`tracker-released-${awardID}`)
      // Milestone 2's tranche (30% of ¥50,000.00) is released; its accepted report counts it done.
      const paid = Number(await released.getAttribute('data-paid'))
      assert.ok(paid >= 1_500_000, `released ${paid} fen`)
      assert.ok(Number(await page.getByTestId(`tracker-progress-${awardID}`).getAttribute('data-done')) >= 1)
      await page.getByTestId(`tracker-link-${awardID}`).click()
      await page.getByTestId('tp-report-2').waitFor()
    })

    await inContext(t, 'certificate', desktop, async (page) => {
      await signIn(page, base, 'admin', password)
      await page.goto(`${base}/follow/awards/${awardID}/certificate`)
      await page.locator('[data-testid="certificate"][data-ready="true"]').waitFor()
      assert.match(await page.getByTestId('certificate').innerText(), /荣誉证书/)
      assert.equal(await page.getByTestId('cert-qr').getAttribute('data-url'), `${base}/tracker/${awardID}`)
    })
    admin.dispose()
  })
})
