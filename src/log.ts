import { pino } from 'pino';
import type { Logger } from 'pino';

/**
 * The process logger: pino JSON on stderr with stable keys (`ingress`, `group`, `lb`, `op`,
 * `durationMs`). The pure core never logs; the shell passes child loggers where they are needed.
 */
export type { Logger } from 'pino';

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** Extra fields on every line, e.g. `{ component: 'controller' }`. */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? process.env['PORTICO_LOG_LEVEL'] ?? 'info', base: options.base ?? {} },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
