// --cpu-profile for the page's workers: every dedicated worker the page starts (the cluster
// fixtures, and the worker runtime's instances) runs under the V8 sampling profiler from its
// first line, through the page's CDP session (auto-attach without flattening, so Playwright's
// session can reach them: messages to a worker travel inside Target.sendMessageToTarget).
// A case closes its cluster before the run ends, so each profile is taken in chunks (stopped
// and restarted every second); a terminated worker loses at most its last chunk.

const CHUNK_MS = 1000;

/** Starts profiling every worker the page attaches from now on; call `stop()` at the end. */
export async function profileWorkers(cdp, { intervalUs = 500 } = {}) {
  const workers = new Map(); // sessionId -> { title, pending, nextId, chunks, gone }
  const send = (w, sessionId, method, params = {}) =>
    new Promise((resolve) => {
      if (w.gone) return resolve({ error: 'gone' });
      const id = w.nextId++;
      w.pending.set(id, resolve);
      void cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(() => resolve({ error: 'gone' }));
    });
  const cut = async (sessionId, w, restart) => {
    const r = await Promise.race([
      send(w, sessionId, 'Profiler.stop'),
      new Promise((resolve) => setTimeout(() => resolve({ error: 'timeout' }), 2000)),
    ]);
    if (r.profile) w.chunks.push(r.profile);
    if (restart && !w.gone) await send(w, sessionId, 'Profiler.start');
  };
  cdp.on('Target.attachedToTarget', async ({ sessionId, targetInfo }) => {
    const w = { title: targetInfo.title || targetInfo.url, pending: new Map(), nextId: 1, chunks: [] };
    workers.set(sessionId, w);
    await send(w, sessionId, 'Profiler.enable');
    await send(w, sessionId, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await send(w, sessionId, 'Profiler.start');
    await send(w, sessionId, 'Runtime.runIfWaitingForDebugger');
  });
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const msg = JSON.parse(message);
    const w = workers.get(sessionId);
    if (w && msg.id !== undefined) {
      w.pending.get(msg.id)?.(msg.result ?? { error: msg.error });
      w.pending.delete(msg.id);
    }
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
    const w = workers.get(sessionId);
    if (!w) return;
    w.gone = true;
    for (const resolve of w.pending.values()) resolve({ error: 'gone' });
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  let ticking = true;
  const tick = async () => {
    while (ticking) {
      await new Promise((r) => setTimeout(r, CHUNK_MS));
      await Promise.all([...workers].filter(([, w]) => !w.gone).map(([id, w]) => cut(id, w, true)));
    }
  };
  const ticker = tick();
  return {
    /** Each worker's profile chunks: [{ title, chunks }]. */
    async stop() {
      ticking = false;
      await ticker;
      await Promise.all([...workers].filter(([, w]) => !w.gone).map(([id, w]) => cut(id, w, false)));
      return [...workers.values()].filter((w) => w.chunks.length > 0);
    },
  };
}

/** The functions with the most self time over a worker's chunks, as lines of text. */
export function selfTimeSummary(chunks, top = 12) {
  const self = new Map();
  let total = 0;
  for (const profile of chunks) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) {
      const n = byId.get(profile.samples[i]);
      const us = profile.timeDeltas[i] ?? 0;
      const f = n.callFrame;
      const file = (f.url || '').split('/').pop().split('?')[0];
      const key = `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + us);
      total += us;
    }
  }
  const idle = (self.get('(idle) ') ?? 0) / 1000;
  const lines = [`${(total / 1000).toFixed(0)} ms sampled, ${idle.toFixed(0)} ms idle`];
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(
      `  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`,
    );
  return lines;
}
