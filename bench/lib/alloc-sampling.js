// Bytes allocated per function, garbage included: V8's sampling heap profiler over the
// inspector protocol, with the objects minor and major GCs collected kept in the profile
// (`node --heap-prof` keeps only what is still alive at exit, which says nothing about GC
// cost). Herald must run with `--inspect=127.0.0.1:PORT`.
import { createRequire } from 'node:module';

const WebSocket = createRequire(import.meta.url)('ws');

/** Starts sampling in the process whose inspector listens on `port`; `stop()` resolves to rows by function. */
export async function startAllocationSampling(port, { intervalBytes = 4096 } = {}) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(data);
    if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
  });
  const call = (method, params = {}) => new Promise((resolve, reject) => {
    pending.set(++id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
    ws.send(JSON.stringify({ id, method, params }));
  });
  await call('HeapProfiler.enable');
  await call('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      const { profile } = await call('HeapProfiler.stopSampling');
      ws.close();
      return bytesByFunction(profile.head);
    },
  };
}

const where = (cf) => `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^file:\/\//, '').replace(/^.*\/(packages|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`;

/** { total, rows: [{ fn, bytes }] } largest first; a built-in (Map, push) is named with its caller. */
function bytesByFunction(head) {
  const self = new Map();
  let total = 0;
  const walk = (node, parent) => {
    if (node.selfSize > 0) {
      const cf = node.callFrame;
      const key = cf.url || !parent ? where(cf) : `${cf.functionName || '(native)'} ← ${where(parent.callFrame)}`;
      self.set(key, (self.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, node);
  };
  walk(head, null);
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]).map(([fn, bytes]) => ({ fn, bytes })) };
}
