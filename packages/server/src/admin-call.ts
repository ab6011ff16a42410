import { hostPort } from '@herald/stack';
import type { AdminConfig } from './config/herald-config.js';

/** Where a CLI command writes. */
export interface CommandIo {
  out(s: string): void;
  err(s: string): void;
}

/** A request a CLI command makes of the running server's admin API. */
export interface AdminCall {
  method: string;
  /** Percent-encoded where it carries an argument. */
  path: string;
  body?: unknown;
  /** What to print when the answer has no body (204). */
  done?: string;
  /** What to print of the answer's JSON body, when not the body itself. */
  format?(body: unknown): string;
}

/**
 * Makes `call` to the admin API at the configuration's `admin:` address with its token, as
 * `herald COMMAND ACTION`: prints the answer's body and returns 0, or prints what went
 * wrong (the API's own message when it gave one) and returns 1; 2 when the admin API is
 * off in the configuration.
 */
export async function callAdminApi(admin: AdminConfig | undefined, call: AdminCall, command: string, action: string, io: CommandIo): Promise<0 | 1 | 2> {
  if (!admin) {
    io.err(`herald ${command}: the admin API is off; add admin: { listen: 127.0.0.1:8088, token: "…" } to the configuration and restart herald`);
    return 2;
  }
  let response: Response;
  try {
    response = await fetch(adminUrl(admin) + call.path, {
      method: call.method,
      headers: { Authorization: `Bearer ${admin.token}`, ...(call.body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    io.err(`herald ${command}: cannot reach the admin API at ${adminUrl(admin)}: ${(e as Error).message}; is herald running?`);
    return 1;
  }
  const text = await response.text();
  if (!response.ok) {
    io.err(`herald ${command} ${action}: ${response.status} ${errorMessage(text) ?? text}`);
    return 1;
  }
  if (text === '') io.out(call.done ?? text);
  else io.out(call.format === undefined ? text : call.format(JSON.parse(text)));
  return 0;
}

function adminUrl(admin: AdminConfig): string {
  return `http://${hostPort(admin.host, admin.port)}`;
}

/** The message of an admin API error body (`{"error":{"code","message"}}`). */
function errorMessage(text: string): string | undefined {
  try {
    const { error } = JSON.parse(text) as { error?: { message?: unknown } };
    return typeof error?.message === 'string' ? error.message : undefined;
  } catch {
    return undefined;
  }
}
