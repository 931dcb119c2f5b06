// The app shell in a real browser: language, SPA routing served by the server, and the big
// screen's chrome-less layout. Run with `npm run test:e2e` and LEITAI_E2E_BASE_URL set.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { baseURL, launchBrowser, withPage } from './browser.mjs'

const base = baseURL()
let browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

/** navTexts returns the visible labels of the main navigation's links. */
async function navTexts(page) {
  const nav = page.locator('header[data-testid="app-header"] nav')
  await nav.locator('a').first().waitFor()
  return (await nav.locator('a').allInnerTexts()).map((s) => s.trim())
}

describe('app shell', () => {
  test('loads in Chinese by default', async (t) => {
    await withPage(browser, t, async (page) => {
      const response = await page.goto(`${base}/`)
      assert.equal(response?.status(), 200)
      await page.getByRole('link', { name: '首页', exact: true }).waitFor()

      const labels = await navTexts(page)
      assert.ok(labels.includes('首页'), `nav labels: ${labels}`)
      assert.ok(labels.includes('项目跟踪'), `nav labels: ${labels}`)
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
      assert.match(await page.title(), /擂台/)
      // Navigation uses real links, reachable by keyboard and openable in a new tab.
      assert.equal(await page.getByRole('link', { name: '项目跟踪', exact: true }).getAttribute('href'), '/tracker')
      // Signed out: a sign-in link, and no role-only links.
      await page.getByRole('link', { name: '登录', exact: true }).first().waitFor()
      assert.ok(!labels.includes('管理后台'), `nav labels: ${labels}`)
    })
  })

  test('switching to English changes the text and survives a reload', async (t) => {
    await withPage(browser, t, async (page) => {
      await page.goto(`${base}/`)
      await page.getByRole('link', { name: '首页', exact: true }).waitFor()

      await page.getByRole('button', { name: 'English', exact: true }).click()
      await page.getByRole('link', { name: 'Home', exact: true }).waitFor()
      let labels = await navTexts(page)
      assert.ok(labels.includes('Tracker'), `nav labels: ${labels}`)
      assert.ok(!labels.includes('首页'), `nav labels: ${labels}`)
      assert.equal(await page.getAttribute('html', 'lang'), 'en')
      assert.match(await page.title(), /Home/)

      await page.reload()
      await page.getByRole('link', { name: 'Home', exact: true }).waitFor()
      labels = await navTexts(page)
      assert.ok(labels.includes('Tracker'), `after reload, nav labels: ${labels}`)
      assert.equal(await page.getAttribute('html', 'lang'), 'en')
      assert.equal(
        await page.getByRole('button', { name: 'English', exact: true }).getAttribute('aria-pressed'),
        'true',
      )

      // And back.
      await page.getByRole('button', { name: '中文', exact: true }).click()
      await page.getByRole('link', { name: '首页', exact: true }).waitFor()
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
    })
  })

  test('deep links and unknown routes are served by the SPA fallback', async (t) => {
    for (const path of ['/tracker', '/no/such/page']) {
      const res = await fetch(`${base}${path}`)
      assert.equal(res.status, 200, `GET ${path}`)
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, `GET ${path}`)
      assert.match(await res.text(), /<div id="app">/, `GET ${path} serves the app`)
    }
    // The fallback must not swallow the API: an unknown API path is a JSON 404.
    const api = await fetch(`${base}/api/v1/no-such-endpoint`)
    assert.equal(api.status, 404)
    assert.match(api.headers.get('content-type') ?? '', /application\/json/)
    assert.equal((await api.json()).error?.code, 'not_found')

    await withPage(browser, t, async (page) => {
      const tracker = await page.goto(`${base}/tracker`)
      assert.equal(tracker?.status(), 200)
      await page.getByRole('heading', { level: 1, name: '立项项目公开跟踪' }).waitFor()
      assert.equal(await page.locator('[data-testid="not-found"]').count(), 0)

      const unknown = await page.goto(`${base}/no/such/page`)
      assert.equal(unknown?.status(), 200)
      await page.locator('[data-testid="not-found"]').waitFor()
      await page.getByRole('heading', { level: 1, name: '页面不存在' }).waitFor()
      assert.match(await page.title(), /页面不存在/)
      // The header is still there, and its links navigate client-side.
      await page.getByRole('link', { name: '返回首页' }).click()
      await page.waitForURL(`${base}/`)
      assert.equal(await page.locator('[data-testid="not-found"]').count(), 0)
    })
  })

  test('the big screen renders without the app header', async (t) => {
    await withPage(browser, t, async (page) => {
      const response = await page.goto(`${base}/display/42`)
      assert.equal(response?.status(), 200)
      const screen = page.locator('[data-testid="display-screen"]')
      await screen.waitFor()

      assert.equal(await page.locator('[data-testid="app-header"]').count(), 0)
      assert.match(await page.locator('[data-testid="display-event"]').innerText(), /42/)
      await page.waitForFunction(() =>
        /^\d{2}:\d{2}:\d{2}$/.test(document.querySelector('[data-testid="display-clock"]')?.textContent?.trim() ?? ''),
      )
      const background = await screen.evaluate((el) => getComputedStyle(el).backgroundColor)
      assert.equal(background, 'rgb(11, 13, 26)')
      // Until the live board answers, a banner says so.
      const status = await screen.getAttribute('data-status')
      assert.ok(['connecting', 'offline', 'online'].includes(status ?? ''), `status ${status}`)
      if (status !== 'online') await page.locator('[data-testid="display-banner"]').waitFor()
    })
  })
})
