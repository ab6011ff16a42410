import type { HeraldProcess } from './herald-process.js';

/** The admin server's base URL, from its "admin listening" log entry. */
export function adminUrl(herald: HeraldProcess): string {
  for (const line of herald.stdout) {
    const entry = JSON.parse(line) as { message?: string; url?: string };
    if (entry.message === 'admin listening' && entry.url) return entry.url;
  }
  throw new Error(`no "admin listening" entry in:\n${herald.stdout.join('\n')}`);
}

/** The bindings of `aor` as the admin API lists them. */
export async function bindingsOf(base: string, token: string, aor: string): Promise<Array<Record<string, unknown>>> {
  const r = await fetch(`${base}/api/bindings/${encodeURIComponent(aor)}`, { headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`GET /api/bindings/${aor}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { bindings: Array<Record<string, unknown>> }).bindings;
}
