// --cpu-profile for the page's workers: every dedicated worker the page starts (the cluster
// fixtures, the worker runtime's instances, and the workers those start) runs under the V8 sampling profiler from its
// first line, through the page's CDP session (auto-attach without flattening, so Playwright's
// session can reach them: messages to a worker travel inside Target.sendMessageToTarget).
// A case closes its cluster before the run ends, so each profile is taken in chunks (stopped
// and restarted every second); a terminated worker loses at most its last chunk.

const CHUNK_MS = 1000;

/**
 * Starts profiling every worker the page attaches from now on, and the workers those start
 * (the worker runtime inside a bench worker): call `stop()` at the end.
 */
export async function profileWorkers(cdp, { intervalUs = 500 } = {}) {
  // A worker is reached through the chain of sessions down to it: its key is the chain.
  const workers = new Map(); // key -> { path, title, pending, chunks, gone }
  const ids = new Map(); // key -> next message id on that session
  const nextId = (key) => {
    const id = ids.get(key) ?? 1;
    ids.set(key, id + 1);
    return id;
  };
  const post = (path, message) => {
    let text = JSON.stringify(message);
    for (let i = path.length - 1; i > 0; i--) {
      const outer = path.slice(0, i).join('/');
      text = JSON.stringify({
        id: nextId(outer),
        method: 'Target.sendMessageToTarget',
        params: { sessionId: path[i], message: text },
      });
    }
    return cdp.send('Target.sendMessageToTarget', { sessionId: path[0], message: text });
  };
  const send = (w, method, params = {}) =>
    new Promise((resolve) => {
      if (w.gone) return resolve({ error: 'gone' });
      const id = nextId(w.key);
      w.pending.set(id, resolve);
      void post(w.path, { id, method, params }).catch(() => resolve({ error: 'gone' }));
    });
  const cut = async (w, restart) => {
    const r = await Promise.race([
      send(w, 'Profiler.stop'),
      new Promise((resolve) => setTimeout(() => resolve({ error: 'timeout' }), 2000)),
    ]);
    if (r.profile) w.chunks.push(r.profile);
    if (restart && !w.gone) await send(w, 'Profiler.start');
  };
  const attached = async (path, targetInfo) => {
    const key = path.join('/');
    const w = { key, path, title: targetInfo.title || targetInfo.url, pending: new Map(), chunks: [] };
    workers.set(key, w);
    await send(w, 'Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    await send(w, 'Profiler.enable');
    await send(w, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await send(w, 'Profiler.start');
    await send(w, 'Runtime.runIfWaitingForDebugger');
  };
  const detached = (key) => {
    const w = workers.get(key);
    if (!w) return;
    w.gone = true;
    for (const resolve of w.pending.values()) resolve({ error: 'gone' });
  };
  /** One message from the worker at `path`: a reply, or an event (maybe from a worker below). */
  const received = (path, msg) => {
    const key = path.join('/');
    if (msg.id !== undefined) {
      const w = workers.get(key);
      w?.pending.get(msg.id)?.(msg.result ?? { error: msg.error });
      w?.pending.delete(msg.id);
    } else if (msg.method === 'Target.receivedMessageFromTarget')
      received([...path, msg.params.sessionId], JSON.parse(msg.params.message));
    else if (msg.method === 'Target.attachedToTarget')
      void attached([...path, msg.params.sessionId], msg.params.targetInfo);
    else if (msg.method === 'Target.detachedFromTarget') detached([...path, msg.params.sessionId].join('/'));
  };
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => void attached([sessionId], targetInfo));
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) =>
    received([sessionId], JSON.parse(message)),
  );
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => detached(sessionId));
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  let ticking = true;
  const tick = async () => {
    while (ticking) {
      await new Promise((r) => setTimeout(r, CHUNK_MS));
      await Promise.all([...workers.values()].filter((w) => !w.gone).map((w) => cut(w, true)));
    }
  };
  const ticker = tick();
  return {
    /** Each worker's profile chunks: [{ title, chunks }]. */
    async stop() {
      ticking = false;
      await ticker;
      await Promise.all([...workers.values()].filter((w) => !w.gone).map((w) => cut(w, false)));
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
