// The lot draw of a live final, re-run in the browser: the same Fisher–Yates shuffle driven by
// SHA-256 as judging.DrawLots (judging/lots.go documents it, with the same steps in Python), so
// anyone with the published seed and the finalists' ids can check the running order. The two
// implementations share test vectors (drawLots.test.ts and judging/lots_vectors_test.go).

const TWO_64 = 1n << 64n

const K = Uint32Array.from(
  '428a2f98 71374491 b5c0fbcf e9b5dba5 3956c25b 59f111f1 923f82a4 ab1c5ed5 d807aa98 12835b01 243185be 550c7dc3 72be5d74 80deb1fe 9bdc06a7 c19bf174 e49b69c1 efbe4786 0fc19dc6 240ca1cc 2de92c6f 4a7484aa 5cb0a9dc 76f988da 983e5152 a831c66d b00327c8 bf597fc7 c6e00bf3 d5a79147 06ca6351 14292967 27b70a85 2e1b2138 4d2c6dfc 53380d13 650a7354 766a0abb 81c2c92e 92722c85 a2bfe8a1 a81a664b c24b8b70 c76c51a3 d192e819 d6990624 f40e3585 106aa070 19a4c116 1e376c08 2748774c 34b0bcb5 391c0cb3 4ed8aa4a 5b9cca4f 682e6ff3 748f82ee 78a5636f 84c87814 8cc70208 90befffa a4506ceb bef9a3f7 c67178f2'
    .split(' ')
    .map((h) => parseInt(h, 16)),
)

/**
 * sha256Plain is SHA-256 in plain TypeScript, for pages served over plain http on a venue's LAN,
 * where browsers give no crypto.subtle.
 */
export function sha256Plain(data: Uint8Array): Uint8Array {
  const len = data.length
  const blocks = Math.ceil((len + 9) / 64)
  const m = new Uint8Array(blocks * 64)
  m.set(data)
  m[len] = 0x80
  const view = new DataView(m.buffer)
  view.setUint32(m.length - 8, Math.floor((len * 8) / 2 ** 32))
  view.setUint32(m.length - 4, (len * 8) >>> 0)
  const h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
  const w = new Uint32Array(64)
  const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n))
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(b * 64 + i * 4)
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3)
      const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0
    }
    let [a, bb, c, d, e, f, g, hh] = h as unknown as number[]
    for (let i = 0; i < 64; i++) {
      const t1 = (hh! + (rotr(e!, 6) ^ rotr(e!, 11) ^ rotr(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + K[i]! + w[i]!) >>> 0
      const t2 = ((rotr(a!, 2) ^ rotr(a!, 13) ^ rotr(a!, 22)) + ((a! & bb!) ^ (a! & c!) ^ (bb! & c!))) >>> 0
      hh = g
      g = f
      f = e
      e = (d! + t1) >>> 0
      d = c
      c = bb
      bb = a
      a = (t1 + t2) >>> 0
    }
    ;[a, bb, c, d, e, f, g, hh].forEach((v, i) => (h[i] = (h[i]! + v!) >>> 0))
  }
  const out = new Uint8Array(32)
  const ov = new DataView(out.buffer)
  h.forEach((v, i) => ov.setUint32(i * 4, v))
  return out
}

async function sha256(text: string): Promise<Uint8Array> {
  const data = new TextEncoder().encode(text)
  if (globalThis.crypto?.subtle) return new Uint8Array(await crypto.subtle.digest('SHA-256', data))
  return sha256Plain(data)
}

/** lotIndex draws j uniformly in 0…i: the first 8 bytes of SHA-256("seed:i:attempt"), rejection-sampled. */
async function lotIndex(seed: string, i: number): Promise<number> {
  const n = BigInt(i + 1)
  const limit = TWO_64 - (TWO_64 % n)
  for (let attempt = 0; ; attempt++) {
    const d = await sha256(`${seed}:${i}:${attempt}`)
    let x = 0n
    for (let k = 0; k < 8; k++) x = (x << 8n) | BigInt(d[k]!)
    if (x < limit) return Number(x % n)
  }
}

/** drawLots returns the finalists in the drawn order; it refuses a blank seed and empty or repeated ids. */
export async function drawLots(seed: string, finalists: string[]): Promise<string[]> {
  if (seed.trim() === '') throw new Error('the lot-drawing seed is required')
  const seen = new Set<string>()
  for (const f of finalists) {
    if (f === '') throw new Error('a finalist id is empty')
    if (seen.has(f)) throw new Error(`finalist ${f} is listed twice`)
    seen.add(f)
  }
  const a = [...finalists]
  for (let i = a.length - 1; i >= 1; i--) {
    const j = await lotIndex(seed, i)
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}

/** drawMatches re-runs the draw on the finalists' ids (ascending) and compares it with the programme. */
export async function drawMatches(seed: string, finalistIDs: number[], slots: number[][]): Promise<{ ok: boolean; order: number[] }> {
  const ids = [...finalistIDs].sort((x, y) => x - y).map(String)
  const order = (await drawLots(seed, ids)).map(Number)
  const programme = slots.flat()
  return { ok: programme.length === order.length && programme.every((p, i) => p === order[i]), order }
}
