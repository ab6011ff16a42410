import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyTooLarge, malformedJson } from './admin-error.js';

/** The largest request body the admin API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads the body as a JSON object (an empty body as `{}` when `optional`). Past `limit`
 * bytes it stops keeping what arrives and fails with 413, but the rest is still drained
 * so that the response is not lost to a TCP reset from unread data.
 */
export function readJsonObject(req: IncomingMessage, limit = MAX_BODY_BYTES, optional = false): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(bodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) reject(bodyTooLarge(limit));
      else chunks.push(chunk);
    });
    req.once('error', reject);
    req.once('end', () => {
      if (size > limit) return;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(optional && text.trim() === '' ? {} : parseObject(text));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw malformedJson(text.trim() === '' ? 'the body is empty' : (e as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformedJson('expected an object, e.g. {"password": "…"}');
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Cache-Control': 'no-store' });
  res.end();
}

/**
 * Whether `authorization` is `Bearer <token>`. Both sides are hashed first so that the
 * comparison takes the same time whatever the length or content of a wrong guess.
 * @see RFC 6750 §2.1
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
  const given = createHash('sha256').update(m?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && m !== null;
}
