import winston from 'winston';
import type { LogConfig, LogFormat } from './config/herald-config.js';

/** Herald's logger: winston's, with the npm levels (`error`, `warn`, `info`, `debug`, ...). */
export type Logger = winston.Logger;

/**
 * Creates the daemon's logger, writing one line per entry to `destination`, in the
 * configured format or, for `auto`, the one {@link chooseLogFormat} picks for it.
 *
 * `json` writes `{"timestamp":...,"level":...,"message":...,...metadata}` for log
 * collectors; `pretty` writes `2024-05-01T12:00:00.000Z INFO  message key=value` for a
 * terminal, followed by the stack of a logged error. Error values in metadata become
 * `{ name, message, code, stack }` in both.
 */
export function createLogger(config: LogConfig, destination: NodeJS.WritableStream = process.stdout): Logger {
  const { combine, timestamp, errors, json, printf } = winston.format;
  const chosen = chooseLogFormat(config.format, (destination as { isTTY?: boolean }).isTTY === true);
  const line = chosen === 'json' ? combine(timestampFirst(), json({ deterministic: false })) : printf(prettyLine);
  return winston.createLogger({
    level: config.level,
    format: combine(errors({ stack: true }), serializeErrors(), timestamp(), line),
    transports: [new winston.transports.Stream({ stream: destination })],
  });
}

/** The configured format; for `auto`, `pretty` when the log goes to a terminal (a person reads it), `json` otherwise (a collector does). */
export function chooseLogFormat(configured: LogConfig['format'], toTerminal: boolean): LogFormat {
  if (configured !== 'auto') return configured;
  return toTerminal ? 'pretty' : 'json';
}

// JSON.stringify turns an Error into {}.
const serializeErrors = winston.format((info) => {
  for (const [name, value] of Object.entries(info)) {
    if (value instanceof Error) info[name] = errorRecord(value);
  }
  return info;
});

function errorRecord(error: Error): Record<string, unknown> {
  const { code } = error as NodeJS.ErrnoException;
  return { name: error.name, message: error.message, ...(code !== undefined && { code }), stack: error.stack };
}

// Object.assign keeps the first keys in place and copies winston's symbol keys along.
const timestampFirst = winston.format((info) =>
  Object.assign({ timestamp: info.timestamp, level: info.level, message: info.message }, info),
);

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, stack, ...meta } = info;
  const stacks = typeof stack === 'string' ? [stack] : [];
  const fields = Object.entries(meta).map(([key, value]) => {
    if (isErrorRecord(value)) {
      stacks.push(value.stack);
      return `${key}=${JSON.stringify(value.message)}`;
    }
    return `${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`;
  });
  const head = [String(timestamp), level.toUpperCase().padEnd(5), String(message), ...fields].join(' ');
  return [head, ...stacks].join('\n');
}

function isErrorRecord(value: unknown): value is { message: string; stack: string } {
  return typeof value === 'object' && value !== null && 'stack' in value && typeof value.stack === 'string';
}
