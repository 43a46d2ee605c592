import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, isApiError } from './wire/api-error.ts';
import { JsonInput } from './wire/json-input.ts';
import { QueryInput, missingAction } from './wire/query-input.ts';
import {
  sendEc2Error,
  sendEc2Result,
  sendJsonError,
  sendJsonResult,
  sendQueryError,
  sendQueryResult,
} from './wire/responses.ts';
import type { XmlValue } from './wire/xml.ts';
import { ELBV2_NAMESPACE, ELBV2_VERSION, elbv2Operations } from './elbv2/index.ts';
import { EC2_NAMESPACE, ec2Operations } from './ec2/index.ts';
import { acmOperations } from './acm/certificates.ts';
import { taggingOperations } from './tagging/get-resources.ts';
import type { CallLog, CallRecord } from './control/call-log.ts';
import type { Faults } from './control/faults.ts';
import type { RateLimiter } from './control/profile.ts';
import type { HealthChecker } from './health/prober.ts';
import type { JsonOperation, QueryOperation } from './operations.ts';
import type { Store } from './state/store.ts';

/**
 * Routes one API request to its service by protocol — `x-amz-target` for the JSON services, the
 * SigV4 scope (or `Version`) for the two query services — applies injected faults and the rate
 * profile, runs the handler and answers in that protocol's envelope. Any failure becomes an AWS
 * error response; nothing a client sends can crash the server.
 */
export interface DispatchDeps {
  readonly store: Store;
  readonly calls: CallLog;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly health: HealthChecker;
  readonly log: Logger;
  readonly defaultRegion: string;
}

type Service = CallRecord['service'];

interface Routed {
  readonly service: Service;
  readonly operation: string;
  readonly mutating: boolean;
  readonly run: () => void;
  readonly fail: (error: ApiError) => void;
}

const SCOPE = /Credential=[^/]*\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;
const JSON_TARGETS: Readonly<Record<string, { service: Service; ops: Readonly<Record<string, JsonOperation>> }>> = {
  CertificateManager: { service: 'acm', ops: acmOperations },
  ResourceGroupsTaggingAPI_20170126: { service: 'tagging', ops: taggingOperations },
};

export async function dispatch(
  deps: DispatchDeps,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const scope = SCOPE.exec(req.headers.authorization ?? '');
  const regionName = scope?.[1] ?? deps.defaultRegion;
  const target = req.headers['x-amz-target'];
  const routed =
    typeof target === 'string'
      ? routeJson(deps, target, body, regionName, res, requestId)
      : routeQuery(deps, scope?.[2], body, regionName, res, requestId);
  const record = (status: number, errorCode?: string, injected?: CallRecord['injected']) =>
    deps.calls.record({
      service: routed.service,
      operation: routed.operation,
      region: regionName,
      status,
      errorCode,
      injected,
      durationMs: performance.now() - started,
    });

  const decision = deps.faults.decide(routed.operation);
  const latency = decision.latencyMs + deps.limiter.latencyMs(routed.mutating);
  if (latency > 0) await new Promise((r) => setTimeout(r, latency));
  if (decision.kind === 'drop') {
    record(0, 'ConnectionDropped', 'fault');
    req.socket.destroy();
    return;
  }
  if (decision.kind === 'fail') {
    const error = new ApiError(decision.code, decision.message, decision.status);
    routed.fail(error);
    record(error.status, error.code, 'fault');
    return;
  }
  const throttled =
    decision.kind === 'throttle'
      ? 'fault'
      : !deps.limiter.take(routed.operation, routed.mutating, deps.store.clock.now())
        ? 'rate-limit'
        : undefined;
  if (throttled !== undefined) {
    const json = routed.service === 'acm' || routed.service === 'tagging';
    const error = new ApiError(
      json ? 'ThrottlingException' : routed.service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling',
      'Rate exceeded',
    );
    routed.fail(error);
    record(error.status, error.code, throttled);
    return;
  }
  try {
    routed.run();
    record(200);
    if (routed.mutating) {
      deps.store.notify({ kind: 'config', reason: routed.operation });
      deps.health.sync();
    }
  } catch (e: unknown) {
    const error = isApiError(e) ? e : internalFailure(deps.log, routed.operation, e);
    routed.fail(error);
    record(error.status, error.code);
  }
}

function internalFailure(log: Logger, operation: string, e: unknown): ApiError {
  log.error({ err: e, op: operation }, 'emulator handler failed');
  return new ApiError('InternalFailure', 'The request processing has failed because of an unknown error', 500);
}

function routeJson(
  deps: DispatchDeps,
  target: string,
  body: string,
  regionName: string,
  res: ServerResponse,
  requestId: string,
): Routed {
  const [prefix = '', operation = ''] = target.split('.', 2);
  const service = JSON_TARGETS[prefix];
  const op = service?.ops[operation];
  const fail = (error: ApiError) => sendJsonError(res, error, requestId);
  if (service === undefined || op === undefined) {
    return {
      service: service?.service ?? 'acm',
      operation: operation || target.slice(0, 64),
      mutating: false,
      run: () => {
        throw new ApiError('UnknownOperationException', `Unknown operation '${target}'`);
      },
      fail,
    };
  }
  return {
    service: service.service,
    operation,
    mutating: op.mutating,
    run: () =>
      sendJsonResult(
        res,
        op.handle({ store: deps.store, region: deps.store.region(regionName) }, JsonInput.parse(body)),
        requestId,
      ),
    fail,
  };
}

function routeQuery(
  deps: DispatchDeps,
  scopeService: string | undefined,
  body: string,
  regionName: string,
  res: ServerResponse,
  requestId: string,
): Routed {
  let input: QueryInput | undefined;
  let parseError: ApiError | undefined;
  try {
    input = QueryInput.parse(body);
  } catch (e: unknown) {
    parseError = isApiError(e) ? e : new ApiError('MalformedQueryString', 'The request body could not be parsed');
  }
  const rawAction = (() => {
    try {
      return input?.string('Action');
    } catch {
      return undefined;
    }
  })();
  const rawVersion = (() => {
    try {
      return input?.string('Version');
    } catch {
      return undefined;
    }
  })();
  const isEc2 =
    scopeService === 'ec2' || (scopeService === undefined && rawVersion !== undefined && rawVersion !== ELBV2_VERSION);
  const service: Service = isEc2 ? 'ec2' : 'elbv2';
  const ops = isEc2 ? ec2Operations : elbv2Operations;
  const action = rawAction ?? '';
  const op: QueryOperation | undefined = Object.hasOwn(ops, action) ? ops[action] : undefined;
  const fail = (error: ApiError) =>
    isEc2 ? sendEc2Error(res, ec2Error(error), requestId) : sendQueryError(res, ELBV2_NAMESPACE, error, requestId);
  return {
    service,
    operation: op === undefined ? action.slice(0, 64) || '(none)' : action,
    mutating: op?.mutating ?? false,
    run: () => {
      if (parseError !== undefined) throw parseError;
      if (input === undefined || rawAction === undefined || rawAction === '') throw missingAction();
      if (op === undefined)
        throw new ApiError('InvalidAction', `The action ${action.slice(0, 64)} is not valid for this web service.`);
      const result: XmlValue = op.handle({ store: deps.store, region: deps.store.region(regionName) }, input);
      if (isEc2) sendEc2Result(res, EC2_NAMESPACE, action, result, requestId);
      else sendQueryResult(res, ELBV2_NAMESPACE, action, result, requestId);
    },
    fail,
  };
}

/** EC2 names its generic errors differently from ELBv2. */
function ec2Error(error: ApiError): ApiError {
  if (error.code !== 'ValidationError') return error;
  const missing = /must not be null/.test(error.message);
  return new ApiError(missing ? 'MissingParameter' : 'InvalidParameterValue', error.message, error.status);
}
