// The audience's defences end to end (#11 item 3, #15 item 4) in real Chromium: the host issues
// the big screen's link on the host console; the big screen opened with it takes the key off its
// address bar and puts the rotating proof-of-presence code in its QR code; a phone that opened the
// vote page without the code is refused its voting pass with the bilingual "scan the code on the
// big screen again"; a phone that scanned the QR code votes; the host sees the vote under its
// (masked) address, voids it with a reason and the tally drops on the host console and the big
// screen; the host's tallies toggle makes the phones show the live tallies.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, png, signIn, uploadPNG } from './support.mjs'

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
const password = `aud-pass-${suffix}`

describe('audience defences', () => {
  test('the screen link, a phone without the code, a void and the tallies toggle', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())

    // ---- set-up through the API: one PK slot of two finalists, one judge, a host ----------------
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      year: 2000 + Math.floor(Math.random() * 20), // 2000–2019: valid, and older than any real edition
      title: `观众防护届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `观众市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const projects = []
    for (const [i, title] of ['网格议事厅', '邻里调解室'].entries()) {
      const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `观众${i}区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
      const username = `audunit${i}${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `观众${i}区申报员`, roles: ['unit'], unit_id: unit.id })
      const unitAPI = await apiAs(base, username, password)
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
        title: `${title}${suffix.slice(-3)}`,
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
      await uploadPNG(unitAPI, p.id, `现场照片${i}.png`, png(120, 80, 60 + i * 90))
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
      reviewers_per_project: 1,
      method: 'mean',
      trim: 0,
      key_criterion: 'innovative',
      blind: false,
    })
    const judge = await admin('POST', '/api/v1/users', { username: `audjudge${suffix}`, password, display_name: '评委', roles: ['expert'] })
    const hostName = `audhost${suffix}`
    await admin('POST', '/api/v1/users', { username: hostName, password, display_name: '主持人', roles: ['host'] })
    const event = await admin('POST', `/api/v1/rounds/${round.id}/live-events`, {
      title: `观众防护PK赛${suffix}`,
      audience_mode: 'open',
      judge_ids: [judge.id],
      weights: { panel: 90, previous: 0, audience: 10 },
      presentation_secs: 300,
      qa_secs: 180,
      pairing: 'pk',
    })
    const [slot] = event.slots
    assert.equal(slot.length, 2)

    const open = async (viewport, extra = {}) => {
      const ctx = await browser.newContext({ viewport, ...extra })
      const page = await ctx.newPage()
      page.setDefaultTimeout(20_000)
      const errors = []
      page.on('pageerror', (e) => errors.push(e))
      t.after(() => ctx.close())
      t.after(() => assert.deepEqual(errors, [], 'page errors'))
      return page
    }

    // ---- the host issues the big screen's link ---------------------------------------------------
    const host = await open({ width: 1366, height: 768 })
    await signIn(host, base, hostName, password)
    await host.goto(`${base}/host/events/${event.id}`)
    const panel = host.locator('[data-testid="audience-panel"]')
    await panel.locator('[data-testid="audience-screen"][data-active="0"]').waitFor()
    await panel.locator('[data-testid="audience-screen-issue"]').click()
    await panel.locator('[data-testid="audience-screen"][data-active="1"]').waitFor()
    const screenURL = await panel.locator('input[data-testid="audience-screen-url"]').inputValue()
    assert.match(screenURL, new RegExp(`/display/${event.id}#screen=.+`))

    // ---- the big screen: the key leaves the address bar, the QR code carries the code -------------
    const screen = await open({ width: 1920, height: 1080 })
    await screen.goto(screenURL)
    const qr = screen.locator('[data-testid="display-qr"][data-url*="?c="]')
    await qr.waitFor()
    assert.ok(!screen.url().includes('screen='), `the screen key stays on the address bar: ${screen.url()}`)
    const voteURL = await qr.getAttribute('data-url')
    assert.match(voteURL, new RegExp(`/vote/${event.id}\\?c=[A-Z0-9]{8}$`))
    // A reload keeps the key (the code is still there).
    await screen.reload()
    await screen.locator('[data-testid="display-qr"][data-url*="?c="]').waitFor()

    // ---- the show starts; a phone without the code is refused ------------------------------------
    const act = async (action) => {
      const button = host.locator(`button[data-action="${action}"]`)
      await button.waitFor()
      await host.waitForFunction((a) => !document.querySelector(`button[data-action="${a}"]`)?.disabled, action)
      await button.click()
    }
    await act('present')
    await screen.locator('[data-testid="display-screen"][data-phase="presenting"]').waitFor()

    const stray = await open({ width: 390, height: 800 }, { isMobile: true, hasTouch: true })
    await stray.goto(`${base}/vote/${event.id}`)
    await stray.locator('[data-testid="vote-scan"]').waitFor() // told before it tries
    await stray.locator(`[data-testid="vote-button-${slot[0]}"]`).click()
    const refused = stray.locator('[data-testid="vote-error"][data-key="phone.errors.presence"]')
    await refused.waitFor()
    assert.match(await refused.innerText(), /重新扫描大屏幕上的二维码/)

    // ---- a phone that scanned the QR code votes ---------------------------------------------------
    const phone = await open({ width: 390, height: 800 }, { isMobile: true, hasTouch: true })
    await phone.goto(voteURL)
    await phone.locator(`[data-testid="vote-button-${slot[0]}"]`).click()
    await phone.locator('[data-testid="vote-voted"]').waitFor()
    // Live tallies stay off the phones until the host chooses otherwise.
    assert.equal(await phone.locator(`[data-testid="vote-tally-${slot[0]}"]`).count(), 0, 'a tally on the phone while voting is open')

    // ---- the host sees the address and voids its vote --------------------------------------------
    const row = panel.locator('[data-testid="audience-address"][data-votes="1"]')
    await row.waitFor()
    await host.locator('[data-testid="tally"]').getByText('1 票').first().waitFor()
    await screen.locator('[data-testid="display-votes"][data-votes="1"]').waitFor()
    if (process.env.LEITAI_E2E_ARTIFACTS) {
      const file = join(process.env.LEITAI_E2E_ARTIFACTS, `audience_host_1366x768_${suffix}.png`)
      await panel.screenshot({ path: file })
      t.diagnostic(`the host's audience panel: ${file}`)
    }
    await row.locator('[data-testid="audience-void"]').click()
    const dialog = host.locator('.el-dialog', { has: host.locator('[data-testid="audience-void-confirm"]') })
    await dialog.locator('[data-testid="audience-void-confirm"]').click()
    await dialog.getByText('请填写作废原因').waitFor() // a reason is required
    await dialog.locator('textarea[data-testid="audience-void-reason"]').fill('同一地址短时大量投票')
    await dialog.locator('[data-testid="audience-void-confirm"]').click()
    await panel.locator('[data-testid="audience-address"][data-votes="0"]').waitFor()
    await panel.locator('[data-testid="audience-summary"][data-open="0"]').waitFor()
    await host.locator('[data-testid="tally"]').getByText('0 票').first().waitFor()
    await screen.locator('[data-testid="display-votes"][data-votes="0"]').waitFor()
    await panel.locator('[data-testid="audience-voids"]').getByText('同一地址短时大量投票', { exact: false }).waitFor({ state: 'attached' })
    const board = await (await fetch(`${base}/api/v1/live-events/${event.id}/board`)).json()
    assert.equal(board.tally[String(slot[0])] ?? 0, 0, 'the board still counts the voided vote')

    // ---- the tallies toggle reaches the phones ---------------------------------------------------
    await panel.locator('[data-testid="audience-tallies-toggle"] .el-switch').click()
    await panel.locator('[data-testid="audience-tallies-toggle"][data-on="1"]').waitFor()
    // The refused phone scans the QR code now and votes: both phones show the live tally.
    await stray.goto(await screen.locator('[data-testid="display-qr"]').getAttribute('data-url'))
    await stray.locator(`[data-testid="vote-button-${slot[1]}"]`).click()
    await stray.locator('[data-testid="vote-voted"]').waitFor()
    await phone.locator(`[data-testid="vote-tally-${slot[1]}"]`).waitFor()
    await stray.locator(`[data-testid="vote-tally-${slot[1]}"]`).waitFor()

    // ---- revoking the link: the screen's QR code carries no code any more ---------------------------
    await panel.locator('[data-testid="audience-screen-revoke"]').click()
    await panel.locator('[data-testid="audience-screen"][data-active="0"]').waitFor()
    await screen.reload()
    await screen.locator('[data-testid="display-qr"]').waitFor()
    await screen.waitForFunction(() => !document.querySelector('[data-testid="display-qr"]')?.getAttribute('data-url')?.includes('?c='))
  })
})
