/**
 * An error the emulator answers with, in the shape of the protocol that was called: the awsQuery
 * `<ErrorResponse>` envelope for ELBv2, EC2's `<Response><Errors>` and `{"__type"}` for the JSON
 * services. `code` is the wire code (e.g. `PriorityInUse`, not the SDK's exception class name).
 */
export class ApiError extends Error {
  /** Wire error code, e.g. `ValidationError`, `ResourceNotFoundException`. */
  readonly code: string;
  /** HTTP status; AWS uses 400 for nearly every modeled error. @default 400 */
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }

  /** `Sender` for client errors, `Receiver` for server faults (the awsQuery `<Type>`). */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** `ValidationError` in AWS's Coral wording, naming the member that failed. */
export function validationError(message: string): ApiError {
  return new ApiError('ValidationError', message);
}

/** The Coral "1 validation error detected" message for one member. */
export function constraintError(field: string, value: unknown, constraint: string): ApiError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return validationError(
    `1 validation error detected: Value ${shown} at '${lowerFirst(field)}' failed to satisfy constraint: ${constraint}`,
  );
}

function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]?.toLowerCase() + s.slice(1);
}
