// Shared helpers of the browser tests: a real PNG, the API as one signed-in user, a photo upload,
// a TCP proxy a test can cut (Playwright's offline mode does not cut WebSockets), and the small
// page helpers every flow uses.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import net from 'node:net'
import { deflateSync } from 'node:zlib'
import { request } from 'playwright-core'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

/** crc32 is PNG's checksum. */
export function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** png returns a real w×h RGB PNG (a colour gradient; hue shifts it). */
export function png(w, h, hue = 90) {
  const rows = []
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3)
    for (let x = 0; x < w; x++) row.set([(x * 255) / w, (y * 255) / h, hue], 1 + x * 3)
    rows.push(row)
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * apiAs signs in through the API at base and returns call(method, path, body), which sends the CSRF
 * token and fails the test with the server's answer when the status is not 2xx.
 */
export async function apiAs(base, username, password) {
  const ctx = await request.newContext({ baseURL: base })
  const login = await ctx.post('/api/v1/auth/login', { data: { username, password } })
  assert.ok(login.ok(), `sign in as ${username}: ${login.status()} ${await login.text()}`)
  const token = (await login.json()).csrf_token
  async function call(method, path, body, headers = {}) {
    const res = await ctx.fetch(path, {
      method,
      headers: { 'X-CSRF-Token': token, ...headers },
      ...(body === undefined ? {} : { data: body }),
    })
    const text = await res.text()
    assert.ok(res.ok(), `${username}: ${method} ${path}: ${res.status()} ${text}`)
    return text ? JSON.parse(text) : null
  }
  call.dispose = () => ctx.dispose()
  return call
}

/** uploadPNG sends a photo through the resumable upload API (one part, through the server). */
export async function uploadPNG(api, projectID, filename, body = png(64, 48)) {
  const up = await api('POST', `/api/v1/projects/${projectID}/uploads`, {
    filename,
    size: body.length,
    content_type: 'image/png',
    mode: 'proxy',
  })
  const md5 = createHash('md5').update(body).digest('base64')
  await api('PUT', `/api/v1/uploads/${up.upload_id}/parts/1`, body, {
    'Content-Type': 'application/octet-stream',
    'Content-MD5': md5,
  })
  await api('POST', `/api/v1/uploads/${up.upload_id}/complete`, {})
}

/**
 * cuttableProxy forwards a local port to target's host and port. cut() closes the listener and
 * destroys every connection (the browser sees resets, then refused connections); restore() listens
 * again on the same port.
 */
export async function cuttableProxy(target) {
  const url = new URL(target)
  const sockets = new Set()
  let server = null
  let port = 0
  const listen = () =>
    new Promise((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(url.port), url.hostname)
        sockets.add(client)
        sockets.add(upstream)
        const end = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
        }
        client.on('error', end).on('close', end)
        upstream.on('error', end).on('close', end)
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        port = server.address().port
        resolve()
      })
    })
  await listen()
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    async cut() {
      const s = server
      server = null
      for (const sock of sockets) sock.destroy()
      sockets.clear()
      await new Promise((resolve) => s.close(() => resolve()))
    },
    restore: listen,
    async close() {
      if (server) await this.cut()
    },
  }
}

/** signIn signs a page in through the login form at origin, waiting out a 429 if one comes. */
export async function signIn(page, origin, username, password) {
  await page.goto(`${origin}/login`)
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator('input[name="username"]').fill(username)
    await page.locator('input[name="password"]').fill(password)
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.locator('input[name="password"]').press('Enter'),
    ])
    if (response.status() !== 429) break
    const wait = Number(response.headers()['retry-after'] ?? '5')
    await page.waitForTimeout((wait + 1) * 1000)
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  // The welcome toast must never cover the main navigation (it once clipped "申报门户").
  await page.locator('.el-message').first().waitFor()
  const overlap = await page.evaluate(() => {
    const nav = document.querySelector('.app-nav')?.getBoundingClientRect()
    const toast = document.querySelector('.el-message')?.getBoundingClientRect()
    if (!nav || !toast) return false
    return toast.left < nav.right && toast.right > nav.left && toast.top < nav.bottom && toast.bottom > nav.top
  })
  assert.equal(overlap, false, 'the sign-in toast covers the main navigation')
  // One theme: Element Plus's primary colour is the brand's red, never its default blue.
  const theme = await page.evaluate(() => ({
    primary: getComputedStyle(document.documentElement).getPropertyValue('--el-color-primary').trim().toLowerCase(),
    blue: [...document.querySelectorAll('.el-button--primary, .el-slider__bar, .el-switch.is-checked .el-switch__core')]
      .map((e) => getComputedStyle(e).backgroundColor)
      .filter((c) => c === 'rgb(64, 158, 255)').length,
  }))
  assert.equal(theme.primary, '#b3121b', 'Element Plus primary colour')
  assert.equal(theme.blue, 0, 'primary controls in Element Plus blue')
}

/** confirmBox accepts the Element Plus confirmation that is open. */
export async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.locator('.el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}
