import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** useClock returns the current time, updated just after each full second while mounted. */
export function useClock(): Ref<Date> {
  const now = ref(new Date())
  let timer: number | undefined

  function tick(): void {
    now.value = new Date()
    // Aligning to the second boundary keeps a seconds display from skipping or stuttering.
    timer = window.setTimeout(tick, 1000 - (Date.now() % 1000) + 10)
  }

  onMounted(tick)
  onBeforeUnmount(() => window.clearTimeout(timer))
  return now
}
