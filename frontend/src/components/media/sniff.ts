// The browser's copy of the server's content sniffer (storage/sniff/sniff.go): a file's first bytes
// decide whether it may be uploaded at all and what kind it is, before any request is made. The
// name and the type the browser claims never decide (a renamed .exe is refused at once, and a
// photo named .mp4 gets a photo's icon). The server sniffs again and has the last word; this copy
// only spares people an upload that cannot succeed. Keep the signatures in step with sniff.go.
import type { MediaKind } from '@/api/media'

/** SNIFF_BYTES is how much of a file's head sniff reads (the server's SniffBytes). */
export const SNIFF_BYTES = 64 * 1024

/** SniffVerdict is an accepted file's kind and content type, or a refusal with the reason. */
export type SniffVerdict = { ok: true; kind: MediaKind; contentType: string } | { ok: false; reason: string }

const accept = (kind: MediaKind, contentType: string): SniffVerdict => ({ ok: true, kind, contentType })
const refuse = (reason: string): SniffVerdict => ({ ok: false, reason })

const ascii = (h: Uint8Array, from: number, to: number): string => String.fromCharCode(...h.subarray(from, Math.min(to, h.length)))
const startsWith = (h: Uint8Array, sig: readonly number[]): boolean => h.length >= sig.length && sig.every((b, i) => h[i] === b)
const u32be = (h: Uint8Array, at: number): number => ((h[at]! << 24) >>> 0) + (h[at + 1]! << 16) + (h[at + 2]! << 8) + h[at + 3]!
const u16le = (h: Uint8Array, at: number): number => h[at]! + (h[at + 1]! << 8)

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const MP4_BRANDS = ['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VH', 'M4VP', 'dash', 'MSNV', 'f4v ', 'mmp4']

/** sniff decides a file's kind from its first bytes (up to SNIFF_BYTES of them). */
export function sniff(head: Uint8Array): SniffVerdict {
  const h = head
  if (h.length < 12) {
    if (ascii(h, 0, 5) === '%PDF-') return accept('document', 'application/pdf')
    return refuse('short')
  }
  if (h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff) return accept('image', 'image/jpeg')
  if (startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return accept('image', 'image/png')
  const six = ascii(h, 0, 6)
  if (six === 'GIF87a' || six === 'GIF89a') return accept('image', 'image/gif')
  if (ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP') return accept('image', 'image/webp')
  if (ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'AVI ') return accept('video', 'video/x-msvideo')
  if (ascii(h, 4, 8) === 'ftyp') return sniffISOBMFF(h)
  if (isQuickTimeAtom(h)) return accept('video', 'video/quicktime')
  if (startsWith(h, [0x1a, 0x45, 0xdf, 0xa3])) {
    const text = ascii(h, 0, 4096)
    if (text.includes('webm')) return accept('video', 'video/webm')
    if (text.includes('matroska')) return accept('video', 'video/x-matroska')
    return refuse('ebml')
  }
  if (ascii(h, 0, 5) === '%PDF-') return accept('document', 'application/pdf')
  // ZIP: an Office file shows word/, ppt/ or xl/ parts in its head; any other ZIP is left to the
  // server, which reads its central directory (a plain ZIP is refused there).
  if (ascii(h, 0, 4) === 'PK\x03\x04') return accept('document', zipOfficeType(h))
  // Legacy Office (OLE): a document; the server tells Word from Excel and PowerPoint.
  if (startsWith(h, OLE)) return accept('document', 'application/x-ole-storage')
  return refuse('content')
}

function sniffISOBMFF(h: Uint8Array): SniffVerdict {
  let size = u32be(h, 0)
  if (size < 16 || size > h.length) size = Math.min(h.length, 256)
  const major = ascii(h, 8, 12)
  const brands = [major]
  for (let i = 16; i + 4 <= size; i += 4) brands.push(ascii(h, i, i + 4))
  const has = (...set: string[]) => brands.some((b) => set.includes(b))
  if (major === 'avif' || major === 'avis') return accept('image', 'image/avif')
  if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(major)) return accept('image', 'image/heic')
  if (major === 'mif1' || major === 'msf1') {
    if (has('avif', 'avis')) return accept('image', 'image/avif')
    if (has('heic', 'heix', 'heim', 'heis', 'hevc', 'hevx')) return accept('image', 'image/heic')
    return accept('image', 'image/heif')
  }
  if (['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B '].includes(major)) return refuse('audio')
  if (major === 'qt  ') return accept('video', 'video/quicktime')
  if (major.startsWith('3gp') || major.startsWith('3g2')) return accept('video', 'video/3gpp')
  if (has(...MP4_BRANDS)) return accept('video', 'video/mp4')
  if (has('qt  ')) return accept('video', 'video/quicktime')
  return refuse('iso')
}

function isQuickTimeAtom(h: Uint8Array): boolean {
  const size = u32be(h, 0)
  return ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(ascii(h, 4, 8)) && (size === 0 || size === 1 || size >= 8)
}

function zipOfficeType(h: Uint8Array): string {
  for (let p = 0; p + 30 <= h.length; p++) {
    if (h[p] !== 0x50 || h[p + 1] !== 0x4b || h[p + 2] !== 0x03 || h[p + 3] !== 0x04) continue
    const n = u16le(h, p + 26)
    if (p + 30 + n > h.length) break
    const name = ascii(h, p + 30, p + 30 + n)
    if (name.startsWith('word/')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
    if (name.startsWith('ppt/')) return 'application/vnd.openxmlformats-officedocument.presentationml.presentation'
    if (name.startsWith('xl/')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  }
  return 'application/zip'
}
