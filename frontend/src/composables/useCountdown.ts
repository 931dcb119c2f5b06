import { computed, onBeforeUnmount, ref } from 'vue'

/** useCountdown counts whole seconds down to zero, for "try again in N seconds". */
export function useCountdown() {
  const until = ref(0)
  const now = ref(Date.now())
  let timer: number | undefined

  const remaining = computed(() => Math.max(0, Math.ceil((until.value - now.value) / 1000)))
  const running = computed(() => remaining.value > 0)

  function stop(): void {
    window.clearInterval(timer)
    timer = undefined
  }

  /** start counts down from seconds (replacing any running countdown). */
  function start(seconds: number): void {
    stop()
    now.value = Date.now()
    until.value = now.value + seconds * 1000
    timer = window.setInterval(() => {
      now.value = Date.now()
      if (now.value >= until.value) stop()
    }, 250)
  }

  onBeforeUnmount(stop)
  return { remaining, running, start, stop }
}
