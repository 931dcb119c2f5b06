// The browser's sniffer over real files' first bytes: photos, videos and documents made by ffmpeg
// and zipfile (testdata/), a Windows program's header and a Linux binary, audio, a plain ZIP.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SNIFF_BYTES, sniff } from './sniff'

const head = (name: string, n = SNIFF_BYTES) => new Uint8Array(readFileSync(join(__dirname, 'testdata', name))).subarray(0, n)

describe('sniff accepts what the server accepts, by content', () => {
  const cases: [string, string, string][] = [
    ['a.jpg', 'image', 'image/jpeg'],
    ['a.png', 'image', 'image/png'],
    ['a.gif', 'image', 'image/gif'],
    ['a.webp', 'image', 'image/webp'],
    ['a.mov', 'video', 'video/quicktime'],
    ['a.webm', 'video', 'video/webm'],
    ['a.pdf', 'document', 'application/pdf'],
    ['a.docx', 'document', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['a.xlsx', 'document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ]
  for (const [file, kind, contentType] of cases) {
    test(file, () => {
      expect(sniff(head(file))).toEqual({ ok: true, kind, contentType })
    })
  }

  test('an MP4 from ffmpeg (the e2e clip)', () => {
    const mp4 = new Uint8Array(readFileSync(join(__dirname, '../../../e2e/fixtures/clip.mp4')))
    expect(sniff(mp4.subarray(0, SNIFF_BYTES))).toEqual({ ok: true, kind: 'video', contentType: 'video/mp4' })
  })

  test('the name never decides: a PNG renamed .mp4 is a photo (its icon says so)', () => {
    expect(sniff(head('a.png'))).toMatchObject({ ok: true, kind: 'image' })
  })

  test('a ZIP that is not Office is left to the server (it reads the central directory)', () => {
    expect(sniff(head('plain.zip'))).toEqual({ ok: true, kind: 'document', contentType: 'application/zip' })
  })

  test('a short PDF is still a PDF; the first 4 bytes of an office file are enough to know it is a ZIP', () => {
    expect(sniff(new TextEncoder().encode('%PDF-1.7'))).toMatchObject({ ok: true, kind: 'document' })
    expect(sniff(head('a.docx', 12))).toMatchObject({ ok: true, kind: 'document' })
  })
})

describe('sniff refuses the rest, whatever its name', () => {
  test('a Windows program (MZ/PE header), renamed or not', () => {
    expect(sniff(head('setup.exe'))).toEqual({ ok: false, reason: 'content' })
  })
  test('a Linux binary', () => {
    expect(sniff(head('elf.bin'))).toEqual({ ok: false, reason: 'content' })
  })
  test('audio only (an AAC in MP4, brand M4A)', () => {
    expect(sniff(head('a.m4a'))).toEqual({ ok: false, reason: 'audio' })
  })
  test('plain text, and a file too short to tell', () => {
    expect(sniff(new TextEncoder().encode('hello, this is text, not a photo'))).toEqual({ ok: false, reason: 'content' })
    expect(sniff(new Uint8Array([0xff, 0xd8]))).toEqual({ ok: false, reason: 'short' })
  })
  test('an EBML file that is neither WebM nor Matroska', () => {
    expect(sniff(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 0x61, 0x62, 0x63, 0x64]))).toEqual({ ok: false, reason: 'ebml' })
  })
})
