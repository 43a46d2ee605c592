/**
 * Shell failures (AWS, Kubernetes, sockets, startup configuration) are subclasses of one base error
 * with a stable `code` and a `retryable` flag, so the reconcile loop can decide what to do by data,
 * never by matching message text. User input problems are not errors: they are `Diagnostic`s.
 */
export class PorticoError extends Error {
  /** Stable, machine-readable identifier, e.g. `AwsThrottled`. */
  readonly code: string;
  /** Whether retrying the same operation later may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Invalid flags, environment or files at start-up: the only errors that end the process. */
export class ConfigError extends PorticoError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('InvalidConfig', message, { ...options, retryable: false });
  }
}

/** A call to a remote API (AWS, Kubernetes, xDS peer) failed. */
export class RemoteCallError extends PorticoError {
  readonly operation: string;
  constructor(operation: string, code: string, message: string, options: { retryable?: boolean; cause?: unknown }) {
    super(code, `${operation}: ${message}`, options);
    this.operation = operation;
  }
}

export function isPorticoError(e: unknown): e is PorticoError {
  return e instanceof PorticoError;
}

export function isRetryable(e: unknown): boolean {
  return isPorticoError(e) && e.retryable;
}

/** Human-readable message of anything thrown, for logs and CLI output. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
