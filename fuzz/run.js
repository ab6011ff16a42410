/**
 * Runs Herald's fuzz targets with Jazzer.js (libFuzzer, coverage-guided), one at a time.
 *
 *   node fuzz/run.js --ci                      the bounded run of `npm test`: each target replays
 *                                              its corpus, then fuzzes for a few seconds; exit 1 on a finding
 *   node fuzz/run.js --hours 2 [--work DIR]    a long run: the hours split between the targets,
 *                                              new inputs kept in DIR/corpus/<target>, findings in
 *                                              DIR/findings/; a target that finds something starts again
 *   node fuzz/run.js --target sip-parser --seconds 60
 *   node fuzz/run.js --target request-path --replay FILE    runs one input (a finding) once
 *   node fuzz/run.js --merge DIR               adds to fuzz/corpus/<target> the fewest inputs of
 *                                              DIR/corpus/<target> that keep its coverage
 *
 * The project must be built (`npm run build`): the targets load packages/<name>/dist, which
 * Jazzer.js instruments for coverage. Every run ends with one summary line per target:
 * `fuzz summary {"target":...,"runs":...,"cov":...,"findings":[...]}`.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureJazzerLoads } from './jazzer-glibc-compat.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

/**
 * `ci` is each target's share of the CI run, in seconds; `share` its part of a long run;
 * `timeoutMs` how long one input may take before Jazzer.js reports a hang; `rssMb` libFuzzer's
 * memory limit; `dict` the libFuzzer dictionary in fuzz/. The request path keeps state between
 * inputs (bindings, subscriptions, stored messages, transactions for 32 s) and reports a
 * request unfinished after 10 s itself.
 */
const TARGETS = {
  'sip-parser': { sync: true, ci: 10, share: 0.27, maxLen: 4096, timeoutMs: 5000, rssMb: 2048, dict: 'sip.dict' },
  'stream-framer': { sync: true, ci: 6, share: 0.13, maxLen: 8192, timeoutMs: 5000, rssMb: 2048, dict: 'sip.dict' },
  'request-path': { sync: false, ci: 16, share: 0.5, maxLen: 4096, timeoutMs: 15000, rssMb: 4096, dict: 'sip.dict' },
  'dns-message': { sync: true, ci: 5, share: 0.1, maxLen: 4096, timeoutMs: 5000, rssMb: 2048, dict: 'dns.dict' },
};
/** A long run stops restarting a target after this many findings: they need a fix first. */
const MAX_FINDINGS = 10;

const { values: args } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    target: { type: 'string' },
    seconds: { type: 'string' },
    hours: { type: 'string' },
    work: { type: 'string' },
    replay: { type: 'string' },
    merge: { type: 'string' },
    seed: { type: 'string' },
  },
});

function jazzerCli() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@jazzer.js/core/package.json');
  const { bin } = require(pkg);
  return join(dirname(pkg), typeof bin === 'string' ? bin : bin.jazzer);
}

function log(line) {
  console.log(`${new Date().toISOString()} ${line}`);
}

/** Runs Jazzer.js once; resolves with its exit code and the libFuzzer figures read from its output. */
function jazzer(target, corpusDirs, libFuzzerFlags) {
  const spec = TARGETS[target];
  const argv = [
    jazzerCli(),
    join(here, 'targets', `${target}.js`),
    ...corpusDirs,
    '-i',
    'packages/',
    `--timeout=${spec.timeoutMs}`,
    ...(spec.sync ? ['--sync'] : []),
    '--',
    `-dict=${join(here, spec.dict)}`,
    `-max_len=${spec.maxLen}`,
    `-rss_limit_mb=${spec.rssMb}`,
    ...libFuzzerFlags,
  ];
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const stats = { runs: 0, cov: 0, ft: 0, corpus: 0, execPerSecond: 0, finding: null };
    const partial = new Map();
    const read = (chunk, stream) => {
      stream.write(chunk);
      const lines = ((partial.get(stream) ?? '') + chunk.toString()).split('\n');
      partial.set(stream, lines.pop());
      for (const line of lines) {
        const progress = /cov: (\d+) ft: (\d+) corp: (\d+)\/\S+.*?exec\/s: (\d+)/.exec(line);
        if (progress) Object.assign(stats, { cov: +progress[1], ft: +progress[2], corpus: +progress[3], execPerSecond: +progress[4] });
        const executed = /^#(\d+)\s/.exec(line) ?? /^stat::number_of_executed_units: (\d+)/.exec(line);
        if (executed) stats.runs = Math.max(stats.runs, +executed[1]);
        const unit = /Test unit written to (\S+)/.exec(line);
        if (unit) stats.finding = unit[1];
      }
    };
    child.stdout.on('data', (c) => read(c, process.stdout));
    child.stderr.on('data', (c) => read(c, process.stderr));
    child.on('exit', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), ...stats }));
  });
}

async function fuzzFor(target, seconds, corpus, findings, seed) {
  const started = Date.now();
  const summary = { target, seconds: 0, runs: 0, cov: 0, ft: 0, corpus: 0, execPerSecond: 0, findings: [] };
  let attempt = 0;
  for (;;) {
    const left = Math.round(seconds - (Date.now() - started) / 1000);
    if (left < 5 && attempt > 0) break;
    const flags = [`-max_total_time=${Math.max(left, 1)}`, `-artifact_prefix=${findings}/${target}-`, `-seed=${seed + attempt}`, '-print_final_stats=1'];
    log(`fuzzing ${target} for ${left} s (corpus ${corpus})`);
    const r = await jazzer(target, [corpus], flags);
    Object.assign(summary, { runs: summary.runs + r.runs, cov: Math.max(summary.cov, r.cov), ft: Math.max(summary.ft, r.ft), corpus: r.corpus, execPerSecond: r.execPerSecond });
    if (r.code === 0) break;
    summary.findings.push(r.finding ?? `exit code ${r.code} without a test unit`);
    log(`finding in ${target}: ${r.finding ?? `exit code ${r.code}`}`);
    if (args.ci || summary.findings.length >= MAX_FINDINGS) break;
    attempt++;
  }
  summary.seconds = Math.round((Date.now() - started) / 1000);
  log(`fuzz summary ${JSON.stringify(summary)}`);
  return summary;
}

function targetsAsked() {
  if (!args.target || args.target === 'all') return Object.keys(TARGETS);
  if (!TARGETS[args.target]) throw new Error(`no fuzz target "${args.target}"; the targets are ${Object.keys(TARGETS).join(', ')}`);
  return [args.target];
}

async function main() {
  log(`jazzer addon: ${ensureJazzerLoads()}`);
  const seed = Number(args.seed ?? (args.ci ? 1 : Date.now() % 100000));
  if (args.replay) {
    const [target] = targetsAsked();
    const r = await jazzer(target, [resolve(args.replay)], ['-runs=1', `-artifact_prefix=${join(tmpdir(), 'herald-fuzz-replay-')}`]);
    process.exit(r.code);
  }
  if (args.merge) {
    // libFuzzer's -merge=1 adds to the first directory only the inputs of the others that reach
    // new coverage, so the named seeds and findings stay and the corpus grows by the fewest inputs.
    for (const target of targetsAsked()) {
      const into = join(here, 'corpus', target);
      const before = readdirSync(into).length;
      const r = await jazzer(target, [into, join(resolve(args.merge), 'corpus', target)], ['-merge=1']);
      if (r.code !== 0) throw new Error(`merging ${target} failed with exit code ${r.code}`);
      log(`${target}: ${readdirSync(into).length - before} inputs merged into ${into}`);
    }
    return;
  }

  const targets = targetsAsked();
  const total = args.hours ? Number(args.hours) * 3600 : args.seconds ? Number(args.seconds) : null;
  // CI fuzzes a scratch copy of the corpus, so that the repository stays as it was.
  const work = args.work ? resolve(args.work) : mkdtempSync(join(tmpdir(), 'herald-fuzz-'));
  const findings = join(work, 'findings');
  mkdirSync(findings, { recursive: true });
  const summaries = [];
  for (const target of targets) {
    const corpus = join(work, 'corpus', target);
    if (!existsSync(corpus)) cpSync(join(here, 'corpus', target), corpus, { recursive: true });
    const spec = TARGETS[target];
    const seconds = total === null ? spec.ci : targets.length === 1 ? total : total * spec.share;
    summaries.push(await fuzzFor(target, seconds, corpus, findings, seed));
  }
  const found = summaries.flatMap((s) => s.findings);
  log(`fuzz total: ${summaries.reduce((n, s) => n + s.runs, 0)} runs in ${summaries.reduce((n, s) => n + s.seconds, 0)} s, ${found.length} findings${found.length ? `: ${found.join(', ')}` : ''}`);
  if (!args.work && found.length === 0) rmSync(work, { recursive: true, force: true });
  process.exit(found.length > 0 ? 1 : 0);
}

await main();
