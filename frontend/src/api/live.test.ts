import { describe, expect, it } from 'vitest'
import { liveURL, reconnectDelay, trackerURL } from './live'

describe('live channel addresses', () => {
  it('a board, with recovery', () => {
    expect(liveURL('https://leitai.example.org/display/3', '3', 'e1', 7)).toBe('wss://leitai.example.org/ws/live/3?epoch=e1&offset=7')
    expect(liveURL('http://127.0.0.1:8080/', '3', null, null)).toBe('ws://127.0.0.1:8080/ws/live/3')
  })
  it('the tracker, with recovery', () => {
    expect(trackerURL('https://leitai.example.org/tracker', null, null)).toBe('wss://leitai.example.org/ws/tracker')
    expect(trackerURL('http://127.0.0.1:8080/tracker/4', 'e', 0)).toBe('ws://127.0.0.1:8080/ws/tracker?epoch=e&offset=0')
  })
  it('backs off with jitter, capped', () => {
    expect(reconnectDelay(1, () => 0.5)).toBe(1000)
    expect(reconnectDelay(10, () => 1)).toBe(18000)
  })
})
