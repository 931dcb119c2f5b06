// The live PK final end to end against a live server. Set up through the API with the admin's
// session: an edition with four submitted, eligible projects (each with a photo), a live round,
// three judges and a host, and a live event in two PK slots. Then, as separate pages in real
// Chromium: the big screen at 1920×1080 (through a TCP proxy the test cuts), the host console, three
// judge tablets opened from their single-use links, and a phone. The host runs both slots; the
// judges score on the tablets; the phone votes; nothing sealed reaches the screen's websocket before
// the reveal; the screen shows every stage and the reveal (a screenshot is kept as an artefact);
// the screen's connection is cut and restored and it recovers from history with no gap. On
// PostgreSQL a second leitai instance serves a second big screen of the same event.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser } from './browser.mjs'
import { apiAs, confirmBox, cuttableProxy, png, signIn, uploadPNG } from './support.mjs'

const base = baseURL()
const adminUser = process.env.LEITAI_E2E_ADMIN_USER
const adminPassword = process.env.LEITAI_E2E_ADMIN_PASSWORD
const mode = process.env.LEITAI_E2E_MODE || 'sqlite'
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
const password = `live-pass-${suffix}`

async function artifacts() {
  return process.env.LEITAI_E2E_ARTIFACTS || (await mkdtemp(join(tmpdir(), 'leitai-e2e-')))
}

/** freePort asks the OS for a free local port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** secondInstance starts another leitai on the same database and storage (PostgreSQL mode). */
async function secondInstance(t) {
  const port = await freePort()
  // LEITAI_BIN is relative to the repository root (the tests run in frontend/).
  const bin = isAbsolute(process.env.LEITAI_BIN) ? process.env.LEITAI_BIN : resolve('..', process.env.LEITAI_BIN)
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--log-level', 'warn'], {
    env: { ...process.env, LEITAI_PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let logs = ''
  child.stderr.on('data', (d) => (logs += d))
  t.after(() => child.kill('SIGTERM'))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) return url
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the second instance did not start:\n${logs}`)
}

/**
 * watchBoard records the live board's websocket frames of a page: history offsets (to prove there
 * is no gap across reconnects) and the raw text (to prove nothing sealed was sent).
 */
function watchBoard(page) {
  const seen = { frames: [], offsets: [], sockets: 0 }
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/ws/live/')) return
    seen.sockets++
    ws.on('framereceived', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString()
      seen.frames.push(text)
      const msg = JSON.parse(text)
      if (msg.type === 'snapshot' || msg.type === 'recovered') seen.offsets.push({ type: msg.type, offset: msg.offset })
      if (msg.type === 'event') seen.offsets.push({ type: 'event', offset: msg.offset, kind: msg.event.kind })
    })
  })
  return seen
}

/** expectNoGaps checks each event follows the offset before it (snapshot/recovered included). */
function expectNoGaps(seen) {
  let last = null
  for (const o of seen.offsets) {
    if (o.type === 'event') assert.equal(o.offset, last + 1, `event ${o.kind} at offset ${o.offset} after ${last}`)
    else if (o.type === 'recovered') assert.equal(o.offset, last, `recovered at ${o.offset}, the screen had ${last}`)
    last = o.offset
  }
}

/** points are a judge's points for a project of the final rubric (max 22.5/18/18/18/13.5/10). */
function pointsFor(judge, index) {
  return {
    innovative: 17 + index * 1.5 + judge * 0.5,
    exploratory: 14 + index,
    demonstrative: 15,
    replicable: 14.5,
    sustainable: 10 + judge * 0.5,
    presentation: 8,
  }
}

describe('live PK final', () => {
  test('a host runs two PK slots with three judge tablets, a phone and the big screen', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())

    // ---- set-up through the API ----------------------------------------------------------------
    const now = Date.now()
    const edition = await admin('POST', '/api/v1/editions', {
      // An old year: never the "current" edition other tests (the portal's) expect to be theirs.
      year: 2000 + Math.floor(Math.random() * 20), // 2000–2019: valid, and older than any real edition
      title: `决赛测试届次${suffix}`,
      categories: ['基层治理'],
      opens_at: new Date(now - 3600_000).toISOString(),
      closes_at: new Date(now + 7 * 86400_000).toISOString(),
      grace_minutes: 0,
      quota_per_unit: 2,
      status: 'active',
    })
    const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `决赛市${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
    const titles = ['四民主工作法', '和美网格', '复退军人之家', '长者饭堂']
    const projects = []
    for (const [i, title] of titles.entries()) {
      const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `决赛${i}区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
      const username = `liveunit${i}${suffix}`
      await admin('POST', '/api/v1/users', { username, password, display_name: `决赛${i}区申报员`, roles: ['unit'], unit_id: unit.id })
      const unitAPI = await apiAs(base, username, password)
      const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
      await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
        title: `${title}${suffix.slice(-3)}`,
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
      })
      await uploadPNG(unitAPI, p.id, `现场照片${i}.png`, png(320, 200, 40 + i * 60))
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
      reviewers_per_project: 3,
      method: 'trimmed_mean',
      trim: 1,
      key_criterion: 'innovative',
      blind: false, // no rubric: a live round takes the final rubric (presentation 10, the rest scaled to 90)
    })
    const judgeIDs = []
    for (let j = 1; j <= 3; j++) {
      const u = await admin('POST', '/api/v1/users', { username: `livejudge${j}${suffix}`, password, display_name: `评委${j}号`, roles: ['expert'] })
      judgeIDs.push(u.id)
    }
    const hostName = `livehost${suffix}`
    await admin('POST', '/api/v1/users', { username: hostName, password, display_name: '主持人', roles: ['host'] })
    const event = await admin('POST', `/api/v1/rounds/${round.id}/live-events`, {
      title: `终审PK赛${suffix}`,
      audience_mode: 'open',
      judge_ids: judgeIDs,
      weights: { panel: 90, previous: 0, audience: 10 },
      presentation_secs: 300,
      qa_secs: 180,
      pairing: 'pk',
    })
    assert.equal(event.slots.length, 2)
    assert.equal(event.slots[0].length, 2)
    const links = []
    for (let seat = 1; seat <= 3; seat++) links.push((await admin('POST', `/api/v1/live-events/${event.id}/judges/${seat}/link`)).url)

    // ---- the pages ---------------------------------------------------------------------------------
    const proxy = await cuttableProxy(base)
    t.after(() => proxy.close())
    const pages = []
    const open = async (viewport, extra = {}) => {
      const ctx = await browser.newContext({ viewport, ...extra })
      const page = await ctx.newPage()
      page.setDefaultTimeout(20_000)
      const errors = []
      page.on('pageerror', (e) => errors.push(e))
      pages.push({ ctx, page, errors })
      t.after(() => ctx.close())
      return page
    }
    const shotDir = await artifacts()
    const screen = await open({ width: 1920, height: 1080 })
    const screenWire = watchBoard(screen)
    await screen.goto(`${proxy.url}/display/${event.id}`)
    const phase = (p) => p.locator('[data-testid="display-screen"]').getAttribute('data-phase')
    const waitPhase = (p, want) => p.locator(`[data-testid="display-screen"][data-phase="${want}"]`).waitFor()
    await waitPhase(screen, 'idle')

    let screenB = null
    if (mode === 'postgres') {
      const other = await secondInstance(t)
      screenB = await open({ width: 1920, height: 1080 })
      await screenB.goto(`${other}/display/${event.id}`)
      await waitPhase(screenB, 'idle')
    }

    const host = await open({ width: 1440, height: 900 })
    await signIn(host, base, hostName, password)
    await host.goto(`${base}/host/events/${event.id}`)
    await host.locator('[data-testid="programme"]').waitFor()
    const act = async (action, confirm = false) => {
      const button = host.locator(`button[data-action="${action}"]`)
      await assert.doesNotReject(button.waitFor())
      await host.waitForFunction((a) => !document.querySelector(`button[data-action="${a}"]`)?.disabled, action)
      await button.click()
      if (confirm) await confirmBox(host)
    }

    const tablets = []
    for (const link of links) {
      const tab = await open({ width: 1024, height: 768 }, { hasTouch: true })
      await tab.goto(link)
      await tab.waitForURL((u) => u.pathname === `/judge/${event.id}`)
      await tab.locator('[data-testid="seat"]').waitFor()
      tablets.push(tab)
    }
    const phone = await open({ width: 390, height: 800 }, { isMobile: true, hasTouch: true })
    await phone.goto(`${base}/vote/${event.id}`)
    await phone.locator('[data-testid="vote-page"]').waitFor()

    /** runSlot presents both projects with their Q&A, opens scoring, lets each tablet score both. */
    const runSlot = async (slot, index) => {
      await act('present')
      await waitPhase(screen, 'presenting')
      await screen.locator('[data-testid="display-timer"]').waitFor()
      await act('qa')
      await waitPhase(screen, 'qa')
      await act('present')
      await act('qa')
      await act('open_scoring')
      await waitPhase(screen, 'scoring')
      for (const [j, tab] of tablets.entries()) {
        for (const [k, pid] of slot.entries()) {
          await tab.locator(`[role="tab"][data-project-id="${pid}"]`).click()
          const panel = tab.locator(`.tablet__project[data-project-id="${pid}"]`)
          const pts = pointsFor(j, index * 2 + k)
          for (const [key, value] of Object.entries(pts)) {
            await panel.locator(`[data-testid="criterion"][data-criterion="${key}"] [data-testid="criterion-input"]`).fill(String(value))
          }
          await panel.locator('[data-testid="tablet-submit"]').click()
          await confirmBox(tab)
          // Stored: the tab says so (the tablet then moves on to the next project).
          await tab.locator(`[role="tab"][data-project-id="${pid}"].is-submitted`).waitFor()
        }
      }
      for (const pid of slot) {
        await screen.locator(`[data-testid="display-submitted"][data-project-id="${pid}"][data-submitted="3"]`).waitFor()
      }
      await hostHasAllScores(slot)
    }
    /**
     * hostHasAllScores waits until the host console itself shows every tablet's score of the slot:
     * sealing earlier (while its refresh is still on the way) asks "seal with scores missing?".
     */
    const hostHasAllScores = (slot) =>
      host.waitForFunction(
        (n) => document.querySelectorAll('[data-testid="judges"] .judges__score.is-in').length === n,
        slot.length * tablets.length,
      )

    // On failure, every page is screenshotted into the artefacts folder.
    const shootAll = async () => {
      for (const [i, { page }] of pages.entries()) {
        const file = join(shotDir, `live_failure_${i}_${suffix}.png`)
        await page.screenshot({ path: file }).catch(() => {})
        t.diagnostic(`screenshot: ${file}`)
      }
    }
    try {
      await runShow()
    } catch (err) {
      await shootAll()
      throw err
    }

    async function runShow() {
    // ---- slot 1 ------------------------------------------------------------------------------------
    const [slot1, slot2] = event.slots
    await runSlot(slot1, 0)
    // The phone votes while the slot runs (until it is sealed).
    await phone.locator(`[data-testid="vote-button-${slot1[0]}"]`).click()
    await phone.locator('[data-testid="vote-voted"]').waitFor()
    await act('seal')
    await waitPhase(screen, 'sealed')
    assert.equal(await screen.locator('[data-testid^="display-result-"]').count(), 0, 'results on the screen before the reveal')
    // Nothing sealed on the wire: score totals appear only in a revealed slot's results.
    assert.ok(!screenWire.frames.some((f) => f.includes('"total"')), 'a score reached the public board before its reveal')
    await act('reveal', true)
    await waitPhase(screen, 'revealed')
    for (const pid of slot1) await screen.locator(`[data-testid="display-panel-${pid}"]`).waitFor()
    await screen.locator('[data-testid="display-winner"]').waitFor({ timeout: 40_000 })
    await screen.locator(`[data-testid="leaderboard-row-${slot1[0]}"]`).waitFor()
    const shot = join(shotDir, `live_reveal_1920x1080_${suffix}.png`)
    await screen.screenshot({ path: shot })
    t.diagnostic(`big screen at the reveal: ${shot}`)
    if (screenB) {
      await waitPhase(screenB, 'revealed')
      await screenB.locator(`[data-testid="display-panel-${slot1[0]}"]`).waitFor()
    }

    // ---- the screen's connection is cut while the show goes on, then restored ----------------------
    await proxy.cut()
    await screen.locator('[data-testid="display-offline"]').waitFor()
    await act('present')
    await host.locator('[data-testid="phase"]').waitFor()
    await proxy.restore()
    await screen.locator('[data-testid="display-screen"][data-status="online"]').waitFor({ timeout: 30_000 })
    await waitPhase(screen, 'presenting')
    assert.equal(await screen.locator('[data-testid="display-slot"]').getAttribute('data-slot'), '1')
    assert.ok(screenWire.sockets >= 2, 'the screen reconnected')
    assert.ok(screenWire.offsets.some((o) => o.type === 'recovered'), `the screen recovered from history: ${JSON.stringify(screenWire.offsets)}`)
    expectNoGaps(screenWire)

    // ---- slot 2 (the host already started its first presentation) ------------------------------------
    await act('qa')
    // Q&A pressed too early: the host steps back (asked first), the screen presents again.
    await act('back', true)
    await waitPhase(screen, 'presenting')
    // The timer on its own: held (the screen's timer stands still, the show goes on), then continued.
    await act('timer_pause')
    await screen.locator('[data-testid="display-timer"].timer--frozen').waitFor()
    assert.equal(await phase(screen), 'presenting')
    await act('timer_resume')
    await screen.locator('[data-testid="display-timer"]:not(.timer--frozen)').waitFor()
    await act('qa')
    await act('present')
    await act('qa')
    await act('open_scoring')
    await waitPhase(screen, 'scoring')
    for (const [j, tab] of tablets.entries()) {
      for (const [k, pid] of slot2.entries()) {
        await tab.locator(`[role="tab"][data-project-id="${pid}"]`).click()
        const panel = tab.locator(`.tablet__project[data-project-id="${pid}"]`)
        for (const [key, value] of Object.entries(pointsFor(j, 2 + k))) {
          await panel.locator(`[data-testid="criterion"][data-criterion="${key}"] [data-testid="criterion-input"]`).fill(String(value))
        }
        await panel.locator('[data-testid="tablet-submit"]').click()
        await confirmBox(tab)
        await tab.locator(`[role="tab"][data-project-id="${pid}"].is-submitted`).waitFor()
      }
    }
    await hostHasAllScores(slot2)
    await act('seal')
    await act('reveal', true)
    await waitPhase(screen, 'revealed')
    for (const pid of slot2) await screen.locator(`[data-testid="display-panel-${pid}"]`).waitFor()
    await act('finish', true)
    await waitPhase(screen, 'finished')
    await screen.locator('[data-testid="display-podium"]').waitFor()
    expectNoGaps(screenWire)
    assert.equal(await phase(screen), 'finished')
    for (const { errors } of pages) assert.deepEqual(errors.map((e) => e.message), [])
    }
  })
})
