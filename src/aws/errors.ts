import { RemoteCallError } from '../errors/base.ts';

/**
 * Errors of AWS calls. `code` is the AWS error code (`Throttling`, `PriorityInUse`, …) so the shell
 * decides by data; `retryable` says whether the same call may succeed later.
 */

/** Error names the SDK itself treats as throttling (reference/elbv2.md §3.3). */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
]);

/** Dependency errors that clear on their own once AWS finishes detaching (ENIs, listeners). */
const DEPENDENCY = new Set(['ResourceInUse', 'ResourceInUseException', 'DependencyViolation']);

/**
 * Conflicts with something that already exists. When a write took effect but its answer was lost,
 * the SDK's retry meets its own first attempt here; a later reconcile reads the fresh state and plans
 * around it, so these are retried (a foreign resource is refused by the read, not retried forever).
 */
const CONFLICT = new Set([
  'PriorityInUse',
  'DuplicateListener',
  'DuplicateLoadBalancerName',
  'DuplicateTargetGroupName',
  'InvalidGroup.Duplicate',
  'InvalidPermission.Duplicate',
]);

export class AwsCallError extends RemoteCallError {
  readonly awsCode: string;
  readonly httpStatus: number | undefined;
  constructor(operation: string, awsCode: string, message: string, httpStatus: number | undefined, cause: unknown) {
    // No HTTP status means no answer at all (reset, refused, timed out): the call may well succeed later.
    const retryable =
      THROTTLING.has(awsCode) ||
      DEPENDENCY.has(awsCode) ||
      CONFLICT.has(awsCode) ||
      httpStatus === undefined ||
      httpStatus >= 500;
    super(operation, awsCode, message, { retryable, cause });
    this.awsCode = awsCode;
    this.httpStatus = httpStatus;
  }
}

/** A resource with Portico's name exists but is not Portico's: it is left alone and the stack fails. */
export class ForeignResourceError extends RemoteCallError {
  readonly resource: string;
  constructor(operation: string, resource: string) {
    super(
      operation,
      'ForeignResource',
      `${resource} exists but does not carry this cluster's portico.dev/cluster tag; it is left untouched`,
      { retryable: false },
    );
    this.resource = resource;
  }
}

/** The plan or apply found AWS in a state it cannot work with (e.g. a listener that vanished mid-apply). */
export class ApplyError extends RemoteCallError {
  constructor(operation: string, message: string, retryable = true) {
    super(operation, 'ApplyFailed', message, { retryable });
  }
}

export function isAwsCallError(e: unknown): e is AwsCallError {
  return e instanceof AwsCallError;
}

export function isThrottlingCode(code: string): boolean {
  return THROTTLING.has(code);
}

export function isDependencyCode(code: string): boolean {
  return DEPENDENCY.has(code);
}

/** Wraps whatever the SDK threw. */
export function toAwsCallError(operation: string, e: unknown): AwsCallError {
  if (e instanceof AwsCallError) return e;
  const rec = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    message?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const code = typeof rec.Code === 'string' ? rec.Code : typeof rec.name === 'string' ? rec.name : 'Unknown';
  const message = typeof rec.message === 'string' ? rec.message : String(e);
  return new AwsCallError(operation, code, message, rec.$metadata?.httpStatusCode, e);
}
