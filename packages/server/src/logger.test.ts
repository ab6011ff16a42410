import { PassThrough } from 'node:stream';
import { chooseLogFormat, createLogger } from './logger.js';
import type { LogConfig } from './config/herald-config.js';

/** Logs through `write`, then returns the lines written. */
async function capture(config: LogConfig, write: (logger: ReturnType<typeof createLogger>) => void, terminal = false): Promise<string[]> {
  const stream = Object.assign(new PassThrough(), terminal ? { isTTY: true } : {});
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logger = createLogger(config, stream);
  write(logger);
  await new Promise<void>((done) => {
    logger.on('finish', done);
    logger.end();
  });
  return Buffer.concat(chunks).toString().split('\n').filter((line) => line !== '');
}

describe('createLogger', () => {
  it('writes JSON lines led by timestamp, level and message', async () => {
    const lines = await capture({ level: 'info', format: 'json' }, (log) => log.info('listening', { uri: 'udp://0.0.0.0:5060' }));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(Object.keys(entry)).toEqual(['timestamp', 'level', 'message', 'uri']);
    expect(entry).toMatchObject({ level: 'info', message: 'listening', uri: 'udp://0.0.0.0:5060' });
    expect(new Date(entry.timestamp).toISOString()).toBe(entry.timestamp);
  });

  it('drops entries below the configured level', async () => {
    const lines = await capture({ level: 'warn', format: 'json' }, (log) => {
      log.debug('hidden');
      log.info('hidden');
      log.warn('shown');
      log.error('shown');
    });
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(['warn', 'error']);
  });

  it('keeps the message, code and stack of an error in metadata', async () => {
    const error = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    const lines = await capture({ level: 'info', format: 'json' }, (log) => log.error('store down', { err: error }));
    expect(JSON.parse(lines[0]).err).toMatchObject({ name: 'Error', message: 'connection refused', code: 'ECONNREFUSED' });
    expect(JSON.parse(lines[0]).err.stack).toContain('connection refused');
  });

  it('writes one readable line per entry in pretty format', async () => {
    const lines = await capture({ level: 'debug', format: 'pretty' }, (log) =>
      log.debug('request', { method: 'REGISTER', callId: 'a84b4c76e66710', reason: 'Not Found', count: 2 }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z DEBUG request method=REGISTER callId=a84b4c76e66710 reason="Not Found" count=2$/);
  });

  it('follows a pretty line with the stack of a logged error', async () => {
    const lines = await capture({ level: 'info', format: 'pretty' }, (log) => log.error('worker failed', { err: new Error('boom') }));
    expect(lines[0]).toMatch(/ ERROR worker failed err="boom"$/);
    expect(lines[1]).toBe('Error: boom');
    expect(lines[2]).toMatch(/^\s+at /);
  });
});

describe('log.format auto', () => {
  it('chooses pretty for a terminal and json otherwise; a configured format wins', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes level, time, message and fields as one plain line to a terminal', async () => {
    const lines = await capture({ level: 'info', format: 'auto' }, (log) => log.warn('store found empty', { users: 2, at: '2024-05-01T12:00:00.000Z' }), true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN {2}store found empty users=2 at=2024-05-01T12:00:00.000Z$/);
  });

  it('writes JSON when the log does not go to a terminal (a pipe, a file)', async () => {
    const lines = await capture({ level: 'info', format: 'auto' }, (log) => log.info('listening', { uri: 'udp://0.0.0.0:5060' }));
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', message: 'listening', uri: 'udp://0.0.0.0:5060' });
  });
});
