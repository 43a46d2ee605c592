import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { RegionState } from '../state/region.ts';
import type { EmulatorQuotas } from '../state/quotas.ts';
import { checkEnum } from './common.ts';
import type {
  AwsAction,
  AwsAuthenticateCognitoConfig,
  AwsAuthenticateOidcConfig,
  AwsForwardConfig,
  AwsRedirectConfig,
} from './shapes.ts';

/**
 * Reads, validates and normalises listener/rule actions the way AWS echoes them back: `Order` is
 * always set, a forward always carries `ForwardConfig` (plus the scalar `TargetGroupArn` when it
 * names exactly one group), redirects have every component filled with its `#{…}` default.
 */

const TYPES = ['forward', 'redirect', 'fixed-response', 'authenticate-oidc', 'authenticate-cognito'] as const;
const TERMINAL = new Set<string>(['forward', 'redirect', 'fixed-response']);
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];

export interface ActionScope {
  readonly region: RegionState;
  readonly quotas: EmulatorQuotas;
  /** The load balancer the actions will belong to (for the one-LB-per-target-group rule). */
  readonly loadBalancerArn: string;
  readonly listenerProtocol: 'HTTP' | 'HTTPS';
  /** `Actions` or `DefaultActions`, for messages. */
  readonly member: string;
}

export function readActions(list: readonly QueryInput[] | undefined, scope: ActionScope): AwsAction[] {
  if (list === undefined || list.length === 0) {
    throw constraintError(scope.member, undefined, 'Member must not be null or empty');
  }
  const raw = list.map((entry, i) => ({
    entry,
    type: readType(entry),
    order: entry.int('Order', { min: 1, max: 50000 }),
    i,
  }));
  if (raw.length > 1 && raw.some((a) => a.order === undefined)) {
    throw validationError(`An 'Order' must be specified for each action when ${scope.member} has more than one action`);
  }
  const orders = new Set(raw.map((a) => a.order));
  if (orders.size !== raw.length) throw validationError(`The action orders in ${scope.member} must be unique`);
  raw.sort((a, b) => (a.order ?? a.i + 1) - (b.order ?? b.i + 1));
  const terminals = raw.filter((a) => TERMINAL.has(a.type));
  if (terminals.length !== 1) {
    throw new ApiError(
      'InvalidLoadBalancerAction',
      `${scope.member} must contain exactly one forward, redirect or fixed-response action`,
    );
  }
  if (raw[raw.length - 1]?.type !== terminals[0]?.type) {
    throw new ApiError(
      'InvalidLoadBalancerAction',
      `The ${terminals[0]?.type} action in ${scope.member} must have the highest order`,
    );
  }
  if (raw.length > 2)
    throw new ApiError('TooManyActions', `${scope.member} can contain at most one authenticate action`);
  return raw.map((a) => readAction(a.entry, a.type, a.order ?? a.i + 1, scope));
}

function readType(entry: QueryInput): AwsAction['Type'] {
  return checkEnum(`${entry.path}.Type`, entry.requiredString('Type'), TYPES);
}

function readAction(entry: QueryInput, type: AwsAction['Type'], order: number, scope: ActionScope): AwsAction {
  switch (type) {
    case 'forward':
      return readForward(entry, order, scope);
    case 'redirect':
      return { Type: type, Order: order, RedirectConfig: readRedirect(entry, scope) };
    case 'fixed-response':
      return { Type: type, Order: order, FixedResponseConfig: readFixedResponse(entry) };
    case 'authenticate-oidc':
      requireHttps(scope, type);
      return { Type: type, Order: order, AuthenticateOidcConfig: readOidc(entry) };
    case 'authenticate-cognito':
      requireHttps(scope, type);
      return { Type: type, Order: order, AuthenticateCognitoConfig: readCognito(entry) };
  }
}

function requireHttps(scope: ActionScope, type: string): void {
  if (scope.listenerProtocol !== 'HTTPS') {
    throw new ApiError('InvalidLoadBalancerAction', `'${type}' actions are only supported on HTTPS listeners`);
  }
}

function readForward(entry: QueryInput, order: number, scope: ActionScope): AwsAction {
  const single = entry.string('TargetGroupArn');
  const config = entry.struct('ForwardConfig');
  const tuples = (config?.list('TargetGroups') ?? []).map((t) => ({
    TargetGroupArn: t.requiredString('TargetGroupArn'),
    Weight: t.int('Weight', { min: 0, max: 999 }) ?? 1,
  }));
  if (single === undefined && tuples.length === 0) {
    throw validationError(
      `A forward action in ${scope.member} must specify a target group (TargetGroupArn or ForwardConfig)`,
    );
  }
  if (single !== undefined && tuples.length > 0 && (tuples.length !== 1 || tuples[0]?.TargetGroupArn !== single)) {
    throw validationError(`You cannot specify both TargetGroupArn and a different ForwardConfig target group list`);
  }
  const groups = tuples.length > 0 ? tuples : [{ TargetGroupArn: single ?? '', Weight: 1 }];
  if (groups.length > scope.quotas.targetGroupsPerAction) {
    throw new ApiError(
      'TooManyTargetGroups',
      `A forward action can have at most ${scope.quotas.targetGroupsPerAction} target groups`,
    );
  }
  if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length) {
    throw validationError('A target group can appear only once in a forward action');
  }
  for (const g of groups) checkTargetGroup(g.TargetGroupArn, scope);
  const stickiness = config?.struct('TargetGroupStickinessConfig');
  const enabled = stickiness?.bool('Enabled') ?? false;
  const duration = stickiness?.int('DurationSeconds', { min: 1, max: 604800 });
  if (enabled && duration === undefined) {
    throw validationError('DurationSeconds must be specified when target group stickiness is enabled');
  }
  const forward: AwsForwardConfig = {
    TargetGroups: groups,
    TargetGroupStickinessConfig:
      duration === undefined ? { Enabled: enabled } : { Enabled: enabled, DurationSeconds: duration },
  };
  const only = groups.length === 1 ? groups[0]?.TargetGroupArn : undefined;
  return only === undefined
    ? { Type: 'forward', Order: order, ForwardConfig: forward }
    : { Type: 'forward', Order: order, TargetGroupArn: only, ForwardConfig: forward };
}

function checkTargetGroup(arn: string, scope: ActionScope): void {
  const tg = scope.region.targetGroups.get(arn);
  if (tg === undefined) throw new ApiError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  const others = scope.region.loadBalancersOf(arn).filter((lb) => lb !== scope.loadBalancerArn);
  if (others.length > 0) {
    throw new ApiError(
      'TargetGroupAssociationLimit',
      `The following target groups cannot be associated with more than one load balancer: ${arn}`,
    );
  }
}

function readRedirect(entry: QueryInput, scope: ActionScope): AwsRedirectConfig {
  const c = entry.struct('RedirectConfig');
  if (c === undefined) throw constraintError(`${entry.path}.RedirectConfig`, undefined, 'Member must not be null');
  const statusCode = checkEnum(`${c.path}.StatusCode`, c.requiredString('StatusCode'), [
    'HTTP_301',
    'HTTP_302',
  ] as const);
  const protocol = c.string('Protocol') ?? '#{protocol}';
  const port = c.string('Port') ?? '#{port}';
  const host = c.string('Host') ?? '#{host}';
  const path = c.string('Path') ?? '/#{path}';
  const query = c.string('Query') ?? '#{query}';
  if (!/^(HTTPS?|#\{protocol\})$/.test(protocol)) {
    throw constraintError(
      `${c.path}.Protocol`,
      protocol,
      'Member must satisfy regular expression pattern: ^(HTTPS?|#\\{protocol\\})$',
    );
  }
  if (port !== '#{port}' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw validationError(`The redirect port '${port}' must be a number from 1 to 65535 or '#{port}'`);
  }
  if (host.length < 1 || host.length > 128)
    throw constraintError(`${c.path}.Host`, host, 'Member must have length between 1 and 128');
  if (path.length < 1 || path.length > 128 || !path.startsWith('/')) {
    throw validationError(`The redirect path '${path}' must start with '/' and be 1 to 128 characters long`);
  }
  if (query.length > 128 || query.startsWith('?')) {
    throw validationError(`The redirect query '${query}' must be at most 128 characters and must not start with '?'`);
  }
  if (scope.listenerProtocol === 'HTTPS' && protocol === 'HTTP') {
    throw new ApiError('InvalidLoadBalancerAction', 'You cannot redirect HTTPS to HTTP');
  }
  if (protocol === '#{protocol}' && port === '#{port}' && host === '#{host}' && path === '/#{path}') {
    throw new ApiError(
      'InvalidLoadBalancerAction',
      'The redirect configuration is not valid because it creates a loop',
    );
  }
  return { Protocol: protocol, Port: port, Host: host, Path: path, Query: query, StatusCode: statusCode };
}

function readFixedResponse(entry: QueryInput) {
  const c = entry.struct('FixedResponseConfig');
  if (c === undefined) throw constraintError(`${entry.path}.FixedResponseConfig`, undefined, 'Member must not be null');
  const statusCode = c.requiredString('StatusCode');
  if (!/^(2|4|5)\d\d$/.test(statusCode)) {
    throw constraintError(
      `${c.path}.StatusCode`,
      statusCode,
      'Member must satisfy regular expression pattern: ^(2|4|5)\\d\\d$',
    );
  }
  const contentType = c.string('ContentType');
  if (contentType !== undefined) checkEnum(`${c.path}.ContentType`, contentType, CONTENT_TYPES);
  const body = c.string('MessageBody');
  if (body !== undefined && body.length > 1024) {
    throw constraintError(
      `${c.path}.MessageBody`,
      `${body.slice(0, 20)}…`,
      'Member must have length less than or equal to 1024',
    );
  }
  return { StatusCode: statusCode, ContentType: contentType, MessageBody: body };
}

const AUTH_DEFAULTS = {
  SessionCookieName: 'AWSELBAuthSessionCookie',
  Scope: 'openid',
  SessionTimeout: 604800,
  OnUnauthenticatedRequest: 'authenticate',
};

function readAuthCommon(c: QueryInput) {
  const on = c.string('OnUnauthenticatedRequest') ?? AUTH_DEFAULTS.OnUnauthenticatedRequest;
  return {
    SessionCookieName: c.string('SessionCookieName') ?? AUTH_DEFAULTS.SessionCookieName,
    Scope: c.string('Scope') ?? AUTH_DEFAULTS.Scope,
    SessionTimeout: c.int('SessionTimeout', { min: 1, max: 604800 }) ?? AUTH_DEFAULTS.SessionTimeout,
    OnUnauthenticatedRequest: checkEnum(`${c.path}.OnUnauthenticatedRequest`, on, ['deny', 'allow', 'authenticate']),
    AuthenticationRequestExtraParams: c.map('AuthenticationRequestExtraParams'),
  };
}

function readOidc(entry: QueryInput): AwsAuthenticateOidcConfig {
  const c = entry.struct('AuthenticateOidcConfig');
  if (c === undefined)
    throw constraintError(`${entry.path}.AuthenticateOidcConfig`, undefined, 'Member must not be null');
  const useExisting = c.bool('UseExistingClientSecret');
  const secret = c.string('ClientSecret');
  if (secret === undefined && useExisting !== true) {
    throw validationError('A client secret must be specified for an authenticate-oidc action');
  }
  return {
    Issuer: c.requiredString('Issuer'),
    AuthorizationEndpoint: c.requiredString('AuthorizationEndpoint'),
    TokenEndpoint: c.requiredString('TokenEndpoint'),
    UserInfoEndpoint: c.requiredString('UserInfoEndpoint'),
    ClientId: c.requiredString('ClientId'),
    ...readAuthCommon(c),
    // AWS never echoes the client secret; keep it internal so the data plane could use it.
    ClientSecret: secret,
  };
}

function readCognito(entry: QueryInput): AwsAuthenticateCognitoConfig {
  const c = entry.struct('AuthenticateCognitoConfig');
  if (c === undefined)
    throw constraintError(`${entry.path}.AuthenticateCognitoConfig`, undefined, 'Member must not be null');
  return {
    UserPoolArn: c.requiredString('UserPoolArn'),
    UserPoolClientId: c.requiredString('UserPoolClientId'),
    UserPoolDomain: c.requiredString('UserPoolDomain'),
    ...readAuthCommon(c),
  };
}
