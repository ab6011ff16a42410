import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TARGETS = ['sip-parser', 'stream-framer', 'request-path', 'dns-message'];

interface Summary {
  target: string;
  seconds: number;
  runs: number;
  cov: number;
  findings: string[];
}

/** `node fuzz/run.js --ci` on the built packages: each target replays fuzz/corpus/<target>, then fuzzes for seconds. */
function fuzzBriefly(): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['fuzz/run.js', '--ci'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => res({ code, output }));
  });
}

/** What a finding looks like in Jazzer's report: the broken invariant and the input, in base64. */
function findingReport(output: string): string {
  return output
    .split('\n')
    .filter((l) => /Uncaught Exception|invariant broken|^Base64:|Test unit written|^ {4}at /.test(l))
    .slice(0, 40)
    .join('\n');
}

describe('coverage-guided fuzzing (Jazzer.js), a bounded run', () => {
  it('finds no crash, hang or broken invariant in the parser, the stream framer, the request path and the DNS codec', async () => {
    const { code, output } = await fuzzBriefly();
    const summaries = output
      .split('\n')
      .map((l) => /fuzz summary (\{.*\})$/.exec(l)?.[1])
      .filter((json): json is string => json !== undefined)
      .map((json) => JSON.parse(json) as Summary);
    expect(summaries.map((s) => s.target)).toEqual(TARGETS);
    for (const s of summaries) {
      expect({ target: s.target, findings: s.findings, report: s.findings.length ? findingReport(output) : '' }).toEqual({ target: s.target, findings: [], report: '' });
      expect(s.runs).toBeGreaterThan(100);
      expect(s.cov).toBeGreaterThan(0);
    }
    expect(code).toBe(0);
  }, 180_000);
});
