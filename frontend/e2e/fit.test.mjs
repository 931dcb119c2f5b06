// What fits on the screens of the live final (issue #15, items 9, 12 and 5), measured in real
// Chromium from element boxes and computed styles:
//   - the judge tablet at 1024×768: every criterion of one project and the submit bar on one
//     landscape screen, no scrolling; in portrait (768×1024) the page scrolls with the submit bar
//     always in view; every touch target (slider thumb, stepper, field, submit) at least 44 px;
//   - the host console at 1366×768: the programme, the transition buttons, the timer, the judges'
//     ticks and the audience tally all inside the viewport without scrolling;
//   - the big screen at 1920×1080 (and 4K): no stage text below 32 px (64 px at 4K), text contrast
//     at least 4.5:1 against what is behind it, and a long title never leaves a lone character on
//     its last line.
// Set up through the API: an edition with two submitted, eligible projects (one with a long
// title), a live round, five judges, a host and a live PK event in scoring.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { isAbsolute, join, resolve } from 'node:path'
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
const password = `fit-pass-${suffix}`
const JUDGES = 5
const LONG_TITLE = '“红色网格+”多元共治工作法推动基层治理规范化'
// One character longer than a line of the card at 1080p: unbalanced, its last line holds one character.
const SECOND_TITLE = '长者饭堂幸福食堂助老服务'

/** liveEvent makes a live PK event and runs the show's actions on it; it returns the event and the host's name. */
async function liveEvent(admin, tag, actions, judges = JUDGES) {
  const now = Date.now()
  const edition = await admin('POST', '/api/v1/editions', {
    year: 2000 + Math.floor(Math.random() * 20),
    title: `适配测试届次${tag}${suffix}`,
    categories: ['基层治理'],
    opens_at: new Date(now - 3600_000).toISOString(),
    closes_at: new Date(now + 7 * 86400_000).toISOString(),
    grace_minutes: 0,
    quota_per_unit: 2,
    status: 'active',
  })
  const city = await admin('POST', '/api/v1/units', { kind: 'city', name: `适配市${tag}${suffix}`, parent_id: null, contact_name: '', contact_phone: '' })
  const projects = []
  for (const [i, title] of [LONG_TITLE, SECOND_TITLE].entries()) {
    const unit = await admin('POST', '/api/v1/units', { kind: 'county', name: `适配${tag}-${i}区${suffix}`, parent_id: city.id, contact_name: '', contact_phone: '' })
    const username = `fitunit${tag}x${i}${suffix}`
    await admin('POST', '/api/v1/users', { username, password, display_name: `适配${i}区申报员`, roles: ['unit'], unit_id: unit.id })
    const unitAPI = await apiAs(base, username, password)
    const p = await unitAPI('POST', `/api/v1/editions/${edition.id}/projects`, {})
    await unitAPI('PUT', `/api/v1/projects/${p.id}`, {
      title,
      category: '基层治理',
      summary: '以网格为单元整合力量，群众诉求“小事不出网格、大事不出镇街”，三年化解矛盾纠纷两千余宗。',
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
    reviewers_per_project: judges,
    method: 'trimmed_mean',
    trim: 1,
    key_criterion: 'innovative',
    blind: false,
  })
  const judgeIDs = []
  for (let j = 1; j <= judges; j++) {
    const u = await admin('POST', '/api/v1/users', { username: `fitjudge${tag}x${j}${suffix}`, password, display_name: `评委${j}号`, roles: ['expert'] })
    judgeIDs.push(u.id)
  }
  const hostName = `fithost${tag}${suffix}`
  await admin('POST', '/api/v1/users', { username: hostName, password, display_name: '主持人', roles: ['host'] })
  const event = await admin('POST', `/api/v1/rounds/${round.id}/live-events`, {
    title: `2026年惠州市社会治理创新十大项目终审PK赛${tag}`,
    audience_mode: 'open',
    judge_ids: judgeIDs,
    weights: { panel: 90, previous: 0, audience: 10 },
    presentation_secs: 300,
    qa_secs: 180,
    pairing: 'pk',
  })
  for (const action of actions) {
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action })
  }
  return { event, hostName }
}

/** tabletFit measures the tablet: criteria, the submit bar and the touch targets. */
function tabletFit(page) {
  return page.evaluate(() => {
    const box = (e) => {
      const r = e.getBoundingClientRect()
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height }
    }
    const se = document.scrollingElement
    const panel = document.querySelector('.tablet__project')
    const targets = []
    for (const sel of ['.el-slider__button-wrapper', '.criterion__bump', '.criterion__input', '[data-testid="tablet-submit"]', '.tablet__tab']) {
      for (const e of panel.parentElement.querySelectorAll(sel)) targets.push({ sel, ...box(e) })
    }
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      scrollHeight: se.scrollHeight,
      clientHeight: se.clientHeight,
      scrollWidth: se.scrollWidth,
      clientWidth: se.clientWidth,
      criteria: [...panel.querySelectorAll('[data-testid="criterion"]')].map((e) => ({ key: e.dataset.criterion, ...box(e) })),
      bar: box(panel.querySelector('.tablet__bar')),
      targets,
    }
  })
}

/**
 * stageText measures every piece of text on the big screen: its font size, and its contrast against
 * what is behind it (the text colour and the backgrounds up the tree, gradients taken stop by stop,
 * composited with their alpha and the elements' opacity; the worst case counts).
 */
function stageText(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/)
      if (!m) return null
      const [r, g, b, a = '1'] = m[1].split(/[ ,/]+/).filter(Boolean)
      return [Number(r), Number(g), Number(b), Number(a)]
    }
    const over = (top, bottom, alpha = top[3]) => [0, 1, 2].map((i) => top[i] * alpha + bottom[i] * (1 - alpha)).concat(1)
    const lum = (c) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }
    const ratio = (a, b) => {
      const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x)
      return (l1 + 0.05) / (l2 + 0.05)
    }
    /** backgrounds returns the colours that may be behind el (one per gradient stop). */
    const backgrounds = (el) => {
      const chain = []
      for (let a = el; a; a = a.parentElement) chain.unshift(a)
      let candidates = [[255, 255, 255, 1]]
      for (const a of chain) {
        const cs = getComputedStyle(a)
        const layers = []
        const bg = parse(cs.backgroundColor)
        if (bg && bg[3] > 0) layers.push([bg])
        if (cs.backgroundImage.includes('gradient')) {
          const stops = [...cs.backgroundImage.matchAll(/rgba?\([^)]+\)/g)].map((m) => parse(m[0])).filter((c) => c && c[3] > 0)
          if (stops.length) layers.push(stops)
        }
        for (const stops of layers) {
          const next = []
          for (const base of candidates) for (const s of stops) next.push(over(s, base))
          candidates = next.slice(0, 32)
        }
      }
      return candidates
    }
    const out = []
    const root = document.querySelector('[data-testid="display-screen"]')
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
    const seen = new Set()
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!n.textContent.trim() || seen.has(el)) continue
      seen.add(el)
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) continue
      const cs = getComputedStyle(el)
      let opacity = 1
      for (let a = el; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity)
      // Text painted with its own gradient (background-clip: text) is as readable as its palest stop.
      const clipped = (cs.backgroundClip === 'text' || cs.webkitBackgroundClip === 'text') && cs.backgroundImage.includes('gradient')
      const colors = clipped ? [...cs.backgroundImage.matchAll(/rgba?\([^)]+\)/g)].map((m) => parse(m[0])) : [parse(cs.color)]
      const behind = backgrounds(clipped ? el.parentElement : el)
      let worst = Infinity
      for (const color of colors) for (const b of behind) worst = Math.min(worst, ratio(over(color, b, color[3] * opacity), b))
      const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/)[0] : el.tagName
      const cut = r.top < -0.5 || r.bottom > innerHeight + 0.5 || r.left < -0.5 || r.right > innerWidth + 0.5
      out.push({ text: n.textContent.trim().slice(0, 24), cls, size: parseFloat(cs.fontSize), contrast: worst, cut })
    }
    return out
  })
}

/** lastLines returns, for each long title on the stage, how many characters its last line holds. */
function lastLines(page, selector) {
  return page.evaluate((selector) => {
    const out = []
    for (const el of document.querySelectorAll(selector)) {
      const text = el.firstChild
      if (!text || text.nodeType !== Node.TEXT_NODE) continue
      const range = document.createRange()
      const tops = []
      for (let i = 0; i < text.length; i++) {
        range.setStart(text, i)
        range.setEnd(text, i + 1)
        const r = range.getClientRects()[0]
        if (r) tops.push(Math.round(r.top))
      }
      // A title cut to its line clamp ends with an ellipsis, not a lone character: skip it.
      // (scrollHeight exceeds clientHeight by a few pixels of glyph overhang even when nothing is cut.)
      if (el.scrollHeight > el.clientHeight + parseFloat(getComputedStyle(el).fontSize) / 2) continue
      const lines = [...new Set(tops)]
      const last = tops.filter((t) => t === lines.at(-1)).length
      out.push({ text: text.textContent, lines: lines.length, last })
    }
    return out
  }, selector)
}

/** onScreen is whether a box lies wholly inside the viewport. */
const onScreen = (b, vp) => b.top >= -0.5 && b.bottom <= vp.height + 0.5 && b.left >= -0.5 && b.right <= vp.width + 0.5

describe('fit: tablet, host console, big screen', () => {
  let setup
  before(async () => {
    const admin = await apiAs(base, adminUser, adminPassword)
    try {
      setup = await liveEvent(admin, 'a', ['present', 'qa', 'present', 'qa', 'open_scoring'])
      setup.links = []
      for (let seat = 1; seat <= 3; seat++) setup.links.push((await admin('POST', `/api/v1/live-events/${setup.event.id}/judges/${seat}/link`)).url)
    } finally {
      admin.dispose()
    }
  })

  test('the judge tablet: one landscape screen; portrait scrolls with the submit bar in view; targets ≥ 44 px', async (t) => {
    // Landscape, portrait, and a shorter portrait window (browser toolbars, split view), which must scroll.
    for (const [i, viewport] of [
      { width: 1024, height: 768 },
      { width: 768, height: 1024 },
      { width: 768, height: 820 },
    ].entries()) {
      const ctx = await browser.newContext({ viewport, hasTouch: true })
      t.after(() => ctx.close())
      const page = await ctx.newPage()
      await page.goto(setup.links[i])
      await page.waitForURL((u) => u.pathname === `/judge/${setup.event.id}`)
      await page.locator('[data-testid="tablet-phase"].phase-scoring').waitFor()
      await page.locator('.tablet__project [data-testid="criterion"]').first().waitFor()
      const where = `${viewport.width}×${viewport.height}`
      const m = tabletFit(page)
      const fit = await m
      if (shots) await page.screenshot({ path: join(shots, `tablet_${where}.png`) })
      t.diagnostic(
        `${where}: page ${fit.scrollHeight}/${fit.clientHeight} px high, bar bottom ${fit.bar.bottom.toFixed(0)}, last criterion bottom ${fit.criteria.at(-1).bottom.toFixed(0)}, smallest target ${Math.min(...fit.targets.map((x) => Math.min(x.width, x.height))).toFixed(0)} px`,
      )
      assert.equal(fit.criteria.length, 6, 'six criteria of the final rubric')
      assert.ok(fit.scrollWidth <= fit.clientWidth, `${where}: the tablet scrolls sideways (${fit.scrollWidth} > ${fit.clientWidth})`)
      for (const x of fit.targets) {
        assert.ok(x.width >= 44 && x.height >= 44, `${where}: touch target ${x.sel} is ${x.width.toFixed(0)}×${x.height.toFixed(0)} px, want ≥ 44`)
      }
      assert.ok(onScreen(fit.bar, fit.viewport), `${where}: the submit bar is off screen (${fit.bar.top.toFixed(0)}–${fit.bar.bottom.toFixed(0)})`)
      if (viewport.width > viewport.height) {
        // Landscape: everything for one project on one screen, nothing to scroll.
        assert.ok(fit.scrollHeight <= fit.clientHeight, `${where}: the page scrolls (${fit.scrollHeight} > ${fit.clientHeight})`)
        for (const c of fit.criteria) assert.ok(onScreen(c, fit.viewport), `${where}: criterion ${c.key} is below the fold (bottom ${c.bottom.toFixed(0)})`)
      } else {
        // Portrait: the project above its rubric; when the page scrolls, the submit bar stays in view all the way down.
        if (viewport.height < 1000) assert.ok(fit.scrollHeight > fit.clientHeight, `${where}: expected a page that scrolls`)
        for (const y of [0.5, 1]) {
          await page.evaluate((f) => window.scrollTo(0, (document.scrollingElement.scrollHeight - window.innerHeight) * f), y)
          const at = await tabletFit(page)
          assert.ok(onScreen(at.bar, at.viewport), `${where} scrolled ${y * 100}%: the submit bar is off screen (${at.bar.top.toFixed(0)}–${at.bar.bottom.toFixed(0)})`)
          if (y === 1) {
            const last = at.criteria.at(-1)
            assert.ok(last.bottom <= at.bar.top + 0.5, `${where}: the last criterion stays under the submit bar (${last.bottom.toFixed(0)} > ${at.bar.top.toFixed(0)})`)
          }
        }
      }
    }
  })

  test('the host console at 1366×768: programme, transitions, timer, judges and tally on one screen', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())
    const PANEL = 7 // the usual final panel (评委1…7)
    const { event, hostName } = await liveEvent(admin, 'b', ['present', 'qa', 'present', 'qa'], PANEL)
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } })
    t.after(() => ctx.close())
    const page = await ctx.newPage()
    await signIn(page, base, hostName, password)
    await page.goto(`${base}/host/events/${event.id}`)
    await page.locator('[data-testid="programme"]').waitFor()
    await page.locator('.el-message').first().waitFor({ state: 'detached' }).catch(() => {})
    const measure = (phase) =>
      page.evaluate((phase) => {
        const parts = { programme: '[data-testid="programme"]', transitions: '.transitions', judges: '[data-testid="judges"]', tally: '[data-testid="tally"]' }
        if (phase === 'qa') parts.timer = '[data-testid="timer"]'
        const out = { scrollY: window.scrollY, viewport: { width: window.innerWidth, height: window.innerHeight }, boxes: {} }
        for (const [name, sel] of Object.entries(parts)) {
          const e = document.querySelector(sel)
          if (!e) {
            out.boxes[name] = null
            continue
          }
          const r = e.getBoundingClientRect()
          out.boxes[name] = { top: r.top, bottom: r.bottom, left: r.left, right: r.right }
        }
        out.ticks = document.querySelectorAll('[data-testid="judges"] .judges__score.is-in').length
        return out
      }, phase)
    const check = async (phase) => {
      const m = await measure(phase)
      if (shots) await page.screenshot({ path: join(shots, `host_1366x768_${phase}.png`) })
      t.diagnostic(`${phase}: ${Object.entries(m.boxes).map(([k, b]) => `${k} ${b ? `${b.top.toFixed(0)}–${b.bottom.toFixed(0)}` : 'missing'}`).join(', ')}`)
      assert.equal(m.scrollY, 0)
      for (const [name, b] of Object.entries(m.boxes)) {
        assert.ok(b, `${phase}: the ${name} is missing`)
        assert.ok(onScreen(b, m.viewport), `${phase}: the ${name} is outside the 1366×768 screen (${b.top.toFixed(0)}–${b.bottom.toFixed(0)})`)
      }
      return m
    }
    await page.locator('[data-testid="timer"]').waitFor()
    await check('qa')
    // Scoring, with every seat's scores in (entered on the judges' behalf): the grid full of ticks.
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'open_scoring' })
    const host = await admin('GET', `/api/v1/live-events/${event.id}/host`)
    for (const pid of event.slots[0]) {
      for (let seat = 1; seat <= PANEL; seat++) {
        const points = Object.fromEntries(host.rubric.map((c) => [c.key, Number(c.max) - seat * Number(c.step)]))
        await admin('PUT', `/api/v1/live-events/${event.id}/scores/${pid}/seats/${seat}`, { points, reason: '评委平板故障，主持人代录' })
      }
    }
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="judges"] .judges__score.is-in').length === n, 2 * PANEL)
    const m = await check('scoring')
    assert.equal(m.ticks, 2 * PANEL)
  })

  test('the big screen at 1920×1080 and 4K: stage text ≥ 32 px (scaled), contrast ≥ 4.5:1, balanced titles', async (t) => {
    const admin = await apiAs(base, adminUser, adminPassword)
    t.after(() => admin.dispose())
    const { event } = await liveEvent(admin, 'c', [])
    const screens = []
    for (const [width, height] of [
      [1920, 1080],
      [3840, 2160],
    ]) {
      const ctx = await browser.newContext({ viewport: { width, height } })
      t.after(() => ctx.close())
      const page = await ctx.newPage()
      await page.goto(`${base}/display/${event.id}`)
      await page.locator('[data-testid="display-screen"][data-phase="idle"]').waitFor()
      screens.push({ page, width, height, min: 32 * (height / 1080) })
    }
    const problems = []
    const check = async (phase) => {
      for (const { page, width, height, min } of screens) {
        await page.locator(`[data-testid="display-screen"][data-phase="${phase}"]`).waitFor()
        if (phase === 'revealed') {
          await page.locator('[data-testid="display-winner"]').waitFor({ timeout: 30_000 })
          await page.locator('[data-testid^="leaderboard-row-"]').first().waitFor()
        }
        // Transitions settle before measuring (no timing: wait until no animation runs).
        await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity))
        if (shots) await page.screenshot({ path: join(shots, `stage_${phase}_${width}x${height}.png`) })
        const texts = await stageText(page)
        const small = texts.filter((x) => x.size < min - 0.01)
        const faint = texts.filter((x) => x.contrast < 4.5)
        t.diagnostic(`${phase} at ${width}×${height}: ${texts.length} texts, smallest ${Math.min(...texts.map((x) => x.size)).toFixed(1)} px, lowest contrast ${Math.min(...texts.map((x) => x.contrast)).toFixed(2)}`)
        for (const x of small) problems.push(`${phase} ${width}×${height}: "${x.text}" (.${x.cls}) is ${x.size.toFixed(1)} px < ${min}`)
        for (const x of texts.filter((x) => x.cut)) problems.push(`${phase} ${width}×${height}: "${x.text}" (.${x.cls}) runs off the screen`)
        for (const x of faint) problems.push(`${phase} ${width}×${height}: "${x.text}" (.${x.cls}) has contrast ${x.contrast.toFixed(2)} < 4.5`)
        const titles = await lastLines(page, '.card__title, .place__title')
        t.diagnostic(`${phase} at ${width}×${height}: titles ${titles.map((x) => `${x.lines} lines, ${x.last} on the last`).join('; ')}`)
        for (const title of titles) {
          if (title.lines > 1 && title.last < 3) problems.push(`${phase} ${width}×${height}: "${title.text}" ends with ${title.last} character(s) on its last line`)
        }
      }
    }
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'present' })
    await check('presenting')
    for (const action of ['qa', 'present', 'qa', 'open_scoring']) await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action })
    await check('scoring')
    const host = await admin('GET', `/api/v1/live-events/${event.id}/host`)
    for (const [k, pid] of event.slots[0].entries()) {
      for (let seat = 1; seat <= JUDGES; seat++) {
        const points = Object.fromEntries(host.rubric.map((c) => [c.key, Number(c.max) - ((seat + k) % 4) * Number(c.step)]))
        await admin('PUT', `/api/v1/live-events/${event.id}/scores/${pid}/seats/${seat}`, { points, reason: '评委平板故障，主持人代录' })
      }
    }
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'seal' })
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'reveal' })
    await check('revealed')
    // The end: the podium (one slot here, so its two projects).
    await admin('POST', `/api/v1/live-events/${event.id}/actions`, { action: 'finish' })
    for (const { page } of screens) {
      await page.locator('[data-testid="display-podium"]').waitFor()
      // Places are revealed one by one: measure once all are up.
      await page.waitForFunction(() => {
        const places = document.querySelectorAll('.place')
        return places.length > 0 && [...places].every((p) => p.classList.contains('is-shown'))
      })
    }
    await check('finished')
    assert.deepEqual(problems, [])
  })

  test("the admin's live page re-runs the draw in the browser and names the leitai command that does the same, not a Go call", async (t) => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } })
    t.after(() => ctx.close())
    const page = await ctx.newPage()
    await signIn(page, base, adminUser, adminPassword)
    await page.goto(`${base}/admin/live/${setup.event.id}`)
    const verify = page.locator('[data-testid="draw-verify"]')
    await verify.waitFor()
    assert.doesNotMatch(await verify.innerText(), /judging\.|DrawLots|\(\"/, 'a Go call as the way to check the draw')
    await page.locator('[data-testid="draw-recheck"]').click()
    await page.locator('[data-testid="draw-recheck-result"][data-result="ok"]').waitFor()
    // The command shown runs: `leitai draw` prints the programme the page shows.
    const command = await page.locator('[data-testid="draw-command"]').innerText()
    const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(1)
    const bin = isAbsolute(process.env.LEITAI_BIN) ? process.env.LEITAI_BIN : resolve('..', process.env.LEITAI_BIN)
    const printed = execFileSync(bin, args, { encoding: 'utf8' })
    const slots = printed.split('\n').filter((l) => l.startsWith('slot ')).map((l) => l.replace(/^slot \d+: /, '').split(' vs ').map(Number))
    assert.deepEqual(slots, setup.event.slots, `leitai draw printed ${printed}`)
  })
})
