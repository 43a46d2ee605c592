import type { JsonObject } from './json.ts';

/** One entry of `details.causes` in a Status: which field, and why. */
export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** What a Status names: the object the failure is about. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (plural) or kind, as the real server puts it. */
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/**
 * An API failure. Every non-2xx reply the server sends is `toStatus()` of one of these, because
 * clients (kubectl, client-node's ApiException.body) read `reason` and `message` from that shape.
 */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
    };
    if (this.details !== undefined) status['details'] = this.details;
    status['code'] = this.code;
    return status;
  }
}

/** `group` and `resource` as the real server prints them: `ingresses.networking.k8s.io`. */
export function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function notFound(group: string, resource: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });
}

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, {
    name,
    group,
    kind: resource,
  });
}

export function conflict(group: string, resource: string, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    { name, group, kind: resource },
  );
}

/** The stale-resourceVersion conflict, worded as the real server words it. */
export function staleConflict(group: string, resource: string, name: string): ApiError {
  return conflict(
    group,
    resource,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 422 with one cause per problem; the message lists them all, as the real server does. */
export function invalid(kind: string, group: string, name: string, causes: readonly StatusCause[]): ApiError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = list.length === 1 ? (list[0] ?? '') : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind}${name ? ` "${name}"` : ''} is invalid: ${summary}`, {
    name,
    group,
    kind,
    causes,
  });
}

export function forbidden(message: string, details?: StatusDetails): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

/** Cause reasons used by the validators (the real server's `FieldValue*` vocabulary). */
export const CauseReason = {
  invalid: 'FieldValueInvalid',
  required: 'FieldValueRequired',
  notSupported: 'FieldValueNotSupported',
  forbidden: 'FieldValueForbidden',
  duplicate: 'FieldValueDuplicate',
  tooLong: 'FieldValueTooLong',
} as const;

/** A field problem, with the message shaped like the real server's (`Invalid value: "x": why`). */
export function fieldInvalid(field: string, value: unknown, why: string): StatusCause {
  return { reason: CauseReason.invalid, field, message: `Invalid value: ${JSON.stringify(value)}: ${why}` };
}

export function fieldRequired(field: string, why = ''): StatusCause {
  return { reason: CauseReason.required, field, message: `Required value${why ? `: ${why}` : ''}` };
}

export function fieldNotSupported(field: string, value: unknown, supported: readonly string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return {
    reason: CauseReason.notSupported,
    field,
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}`,
  };
}

export function fieldForbidden(field: string, why: string): StatusCause {
  return { reason: CauseReason.forbidden, field, message: `Forbidden: ${why}` };
}
