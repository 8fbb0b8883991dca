// How long this thread's event loop waits: the longest time it was busy (its CPU time, not the
// machine's other processes') and the longest wall time between two turns of a 1 ms timer.

export interface LoopReading {
  maxBusyMs: number
  maxStallMs: number
  /** Timer turns since the meter started (or was reset). */
  ticks: number
}

export function loopMeter() {
  const cpu = () => {
    // process.threadCpuUsage is Node 23.9+; before, the process's (its other threads' too).
    const { user, system } = process.threadCpuUsage?.() ?? process.cpuUsage()
    return (user + system) / 1000
  }
  let last = performance.now()
  let lastCpu = cpu()
  const reading: LoopReading = { maxBusyMs: 0, maxStallMs: 0, ticks: 0 }
  const turn = () => {
    const now = performance.now()
    const c = cpu()
    reading.maxStallMs = Math.max(reading.maxStallMs, now - last)
    reading.maxBusyMs = Math.max(reading.maxBusyMs, c - lastCpu)
    last = now
    lastCpu = c
    reading.ticks++
  }
  const timer = setInterval(turn, 1)
  return {
    /** The figures so far (live). */
    reading,
    /** Starts measuring afresh from now. */
    reset() {
      Object.assign(reading, { maxBusyMs: 0, maxStallMs: 0, ticks: 0 })
      last = performance.now()
      lastCpu = cpu()
    },
    stop(): LoopReading {
      clearInterval(timer)
      turn()
      return { ...reading }
    },
  }
}
