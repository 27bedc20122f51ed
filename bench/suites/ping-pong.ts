// One ping-pong loop for the round-trip rows, run in the page (page ⇄ worker) or in a worker
// (worker ⇄ worker): a small object over `port` to an end that echoes it, one in flight.

/** Round-trip latencies (ms) after `warmup` untimed ones, and the timed rounds' total (ms). */
export function pingPong(
  port: MessagePort,
  n: number,
  warmup: number,
): Promise<{ lat: Float64Array; totalMs: number }> {
  return new Promise((resolve) => {
    const lat = new Float64Array(n);
    let i = -warmup;
    let t = 0;
    let start = 0;
    port.onmessage = () => {
      const now = performance.now();
      if (i >= 0) lat[i] = now - t;
      else if (i === -1) start = now;
      i++;
      if (i === n) {
        port.onmessage = null;
        resolve({ lat, totalMs: now - start });
        return;
      }
      t = performance.now();
      port.postMessage({ op: 'ping', seq: i });
    };
    t = performance.now();
    port.postMessage({ op: 'ping', seq: i });
  });
}
