/**
 * A steady tick for drawing the recording canvas. Timers on a hidden page are throttled to once a second (and
 * to once a minute after five minutes), which would freeze a recording while the window is minimised; a
 * dedicated worker's timer is not, so ticks come from one when the page may create it (CSP `worker-src blob:`),
 * with a plain interval as the fallback. Returns a disposer.
 */
export function startFrameClock(fps: number, onTick: () => void): () => void {
  const intervalMs = Math.max(1, Math.round(1000 / fps))
  try {
    const source =
      'let t;onmessage=(e)=>{clearInterval(t);if(e.data>0)t=setInterval(()=>postMessage(0),e.data)}'
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))
    const worker = new Worker(url)
    URL.revokeObjectURL(url)
    worker.onmessage = () => onTick()
    worker.postMessage(intervalMs)
    return () => {
      worker.postMessage(0)
      worker.terminate()
    }
  } catch {
    const timer = setInterval(onTick, intervalMs)
    return () => clearInterval(timer)
  }
}
