// Summarise a V8 .cpuprofile (node --cpu-prof): self time aggregated by function
// (name + file + line), optionally only over a window of the profile, and by file.
//   node bench/lib/cpuprofile.js FILE.cpuprofile [top=15]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A short location: path inside the repository, node_modules/<pkg>/…, node:internal/…. */
export function shortUrl(url) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root)) u = u.slice(root.length);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm);
  return u;
}

/**
 * @param {object} profile  the parsed .cpuprofile
 * @param {object} [opt]    { fromEndUs, toEndUs }: keep only samples taken between
 *                          `fromEndUs` and `toEndUs` µs before the profile's end (the
 *                          driver knows the load window relative to the process exit);
 *                          { top } rows to return (default 15)
 * (idle) samples are left out of the rows and the percentages (reported as idleMs).
 * @returns {{ totalMs, sampledMs, idleMs, rows: {fn, where, selfMs, pct}[], files: {file, selfMs, pct}[] }}
 */
export function summarise(profile, { fromEndUs = Infinity, toEndUs = 0, top = 15 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const { samples, timeDeltas } = profile;
  // sample i lasts until sample i+1 (as Chrome DevTools attributes it)
  const times = new Array(samples.length);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) { t += timeDeltas[i] ?? 0; times[i] = t; }
  const end = profile.endTime;
  const lo = end - fromEndUs;
  const hi = end - toEndUs;
  const self = new Map();
  const files = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < samples.length; i++) {
    if (times[i] < lo || times[i] > hi) continue;
    const dur = Math.max(0, (i + 1 < samples.length ? times[i + 1] : end) - times[i]);
    const node = byId.get(samples[i]);
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') { idle += dur; continue; } // waiting in epoll: not work
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || (cf.url ? '(anonymous)' : '(native)');
    const key = `${fn}\u0000${where}`;
    const row = self.get(key) ?? { fn, where, us: 0 };
    row.us += dur;
    self.set(key, row);
    const file = cf.url ? shortUrl(cf.url) : fn; // (garbage collector), (program), (idle)
    files.set(file, (files.get(file) ?? 0) + dur);
    total += dur;
  }
  const pct = (us) => (total > 0 ? (100 * us) / total : 0);
  const rows = [...self.values()].sort((a, b) => b.us - a.us).slice(0, top)
    .map((r) => ({ fn: r.fn, where: r.where, selfMs: r.us / 1000, pct: pct(r.us) }));
  const fileRows = [...files].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([file, us]) => ({ file, selfMs: us / 1000, pct: pct(us) }));
  return { totalMs: (end - profile.startTime) / 1000, sampledMs: total / 1000, idleMs: idle / 1000, rows, files: fileRows };
}

export function summariseFile(file, opt) {
  return summarise(JSON.parse(readFileSync(file, 'utf8')), opt);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top = '15'] = process.argv.slice(2);
  if (!file) { console.error('usage: node bench/lib/cpuprofile.js FILE.cpuprofile [top]'); process.exit(2); }
  const s = summariseFile(file, { top: Number(top) });
  console.log(`profile ${s.totalMs.toFixed(0)} ms, ${s.sampledMs.toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle\n`);
  console.log('| self ms | % | function | where |\n| ---: | ---: | --- | --- |');
  for (const r of s.rows) console.log(`| ${r.selfMs.toFixed(1)} | ${r.pct.toFixed(1)} | ${r.fn} | ${r.where} |`);
  console.log('\n| self ms | % | file |\n| ---: | ---: | --- |');
  for (const r of s.files) console.log(`| ${r.selfMs.toFixed(1)} | ${r.pct.toFixed(1)} | ${r.file} |`);
}
