import type {
  Action,
  Attribute,
  CertificateRef,
  Condition,
  HealthCheckSpec,
  ListenerSpec,
  RuleSpec,
  Stack,
  TargetSpec,
  Transform,
} from '../model/stack.ts';
import { canonicalJson } from '../model/canonical.ts';

/**
 * Normal forms: desired (model) and actual (read from AWS) state are both brought into these shapes
 * before comparison, so that AWS's echo habits (forward actions returned with both `TargetGroupArn`
 * and `ForwardConfig`, redirects with defaults filled in, condition values in any order) never look
 * like a difference. Target groups are referred to by their AWS name, which covers every field AWS
 * cannot change in place, so a replaced target group is a different reference.
 */

export interface NormalForward {
  readonly type: 'forward';
  /** Sorted by name. */
  readonly targetGroups: ReadonlyArray<{ readonly name: string; readonly weight: number }>;
  /** Present only when enabled. */
  readonly stickiness?: { readonly enabled: true; readonly durationSeconds: number };
}

export interface NormalRedirect {
  readonly type: 'redirect';
  readonly protocol: string;
  readonly port: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
  readonly statusCode: string;
}

export interface NormalFixedResponse {
  readonly type: 'fixed-response';
  readonly statusCode: string;
  readonly contentType?: string;
  readonly messageBody?: string;
}

interface NormalAuthCommon {
  readonly authenticationRequestExtraParams?: Readonly<Record<string, string>>;
  readonly onUnauthenticatedRequest: string;
  readonly scope: string;
  readonly sessionCookieName: string;
  readonly sessionTimeout: number;
}

export interface NormalAuthOidc extends NormalAuthCommon {
  readonly type: 'authenticate-oidc';
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  /** The Secret with `clientID`/`clientSecret`; resolved at apply time and never compared (AWS hides the secret). */
  readonly secretRef?: { readonly namespace: string; readonly name: string };
}

export interface NormalAuthCognito extends NormalAuthCommon {
  readonly type: 'authenticate-cognito';
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  readonly userPoolDomain: string;
}

export type NormalAction = NormalForward | NormalRedirect | NormalFixedResponse | NormalAuthOidc | NormalAuthCognito;

export interface NormalRule {
  /** Sorted by canonical JSON; values inside each condition sorted (conditions AND, values OR). */
  readonly conditions: readonly Condition[];
  /** In execution order. */
  readonly actions: readonly NormalAction[];
  /** Sorted by type. */
  readonly transforms: readonly Transform[];
}

/**
 * A certificate as compared: an ACM ARN as it is, or `secret:<namespace>/<name>` for a Secret that
 * Portico imports (its ARN is known only once imported).
 */
export type CertKey = string;

export interface NormalListenerConfig {
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Undefined: whatever AWS picked (compared only when desired sets it). */
  readonly sslPolicy?: string;
  readonly defaultCertificate?: CertKey;
  /** Extra (SNI) certificates, sorted, without the default one. */
  readonly certificates: readonly CertKey[];
  readonly defaultActions: readonly NormalAction[];
  /** Sorted by key. */
  readonly attributes: readonly Attribute[];
}

export interface NormalTargetGroupSettings {
  readonly healthCheck: HealthCheckSpec;
  /** Sorted by key. */
  readonly attributes: readonly Attribute[];
}

export const SECRET_CERT_PREFIX = 'secret:';

export function certKey(ref: CertificateRef): CertKey {
  return ref.kind === 'acm' ? ref.arn : `${SECRET_CERT_PREFIX}${ref.namespace}/${ref.name}`;
}

/** `namespace/name` of a Secret certificate key, or undefined for an ACM ARN. */
export function secretOfCertKey(key: CertKey): string | undefined {
  return key.startsWith(SECRET_CERT_PREFIX) ? key.slice(SECRET_CERT_PREFIX.length) : undefined;
}

const REDIRECT_DEFAULTS = {
  protocol: '#{protocol}',
  port: '#{port}',
  host: '#{host}',
  path: '/#{path}',
  query: '#{query}',
};

export function normalRedirect(fields: {
  protocol?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
  path?: string | undefined;
  query?: string | undefined;
  statusCode: string;
}): NormalRedirect {
  return {
    type: 'redirect',
    protocol: fields.protocol ?? REDIRECT_DEFAULTS.protocol,
    port: fields.port ?? REDIRECT_DEFAULTS.port,
    host: fields.host ?? REDIRECT_DEFAULTS.host,
    path: fields.path ?? REDIRECT_DEFAULTS.path,
    query: fields.query ?? REDIRECT_DEFAULTS.query,
    statusCode: fields.statusCode,
  };
}

export function normalForward(
  groups: ReadonlyArray<{ name: string; weight: number }>,
  stickiness: { enabled?: boolean | undefined; durationSeconds?: number | undefined } | undefined,
): NormalForward {
  // With one target group the weight cannot matter, and AWS reports 1 whatever was sent.
  const targetGroups = [...groups]
    .map((g) => ({ name: g.name, weight: groups.length === 1 ? 1 : g.weight }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: NormalForward = { type: 'forward', targetGroups };
  return stickiness?.enabled === true
    ? { ...out, stickiness: { enabled: true, durationSeconds: stickiness.durationSeconds ?? 0 } }
    : out;
}

/** Model action → normal form; `tgName` maps a stack target-group ID to its AWS name. */
export function normalAction(action: Action, tgName: (id: string) => string): NormalAction {
  switch (action.type) {
    case 'forward':
      return normalForward(
        action.targetGroups.map((t) => ({ name: tgName(t.targetGroupId), weight: t.weight })),
        action.stickiness,
      );
    case 'redirect':
      return normalRedirect(action);
    case 'fixed-response': {
      const out: { -readonly [K in keyof NormalFixedResponse]: NormalFixedResponse[K] } = {
        type: 'fixed-response',
        statusCode: action.statusCode,
      };
      if (action.contentType !== undefined) out.contentType = action.contentType;
      if (action.messageBody !== undefined) out.messageBody = action.messageBody;
      return out;
    }
    case 'authenticate-oidc':
      return {
        type: 'authenticate-oidc',
        issuer: action.issuer,
        authorizationEndpoint: action.authorizationEndpoint,
        tokenEndpoint: action.tokenEndpoint,
        userInfoEndpoint: action.userInfoEndpoint,
        secretRef: action.secretRef,
        ...authCommon(action),
      };
    case 'authenticate-cognito':
      return {
        type: 'authenticate-cognito',
        userPoolArn: action.userPoolArn,
        userPoolClientId: action.userPoolClientId,
        userPoolDomain: action.userPoolDomain,
        ...authCommon(action),
      };
  }
}

function authCommon(a: {
  authenticationRequestExtraParams?: Readonly<Record<string, string>> | undefined;
  onUnauthenticatedRequest: string;
  scope: string;
  sessionCookieName: string;
  sessionTimeout: number;
}): NormalAuthCommon {
  const extra = a.authenticationRequestExtraParams;
  return {
    ...(extra !== undefined && Object.keys(extra).length > 0 ? { authenticationRequestExtraParams: extra } : {}),
    onUnauthenticatedRequest: a.onUnauthenticatedRequest,
    scope: a.scope,
    sessionCookieName: a.sessionCookieName,
    sessionTimeout: a.sessionTimeout,
  };
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts values inside a condition and drops empty regex lists, so echo order never matters. */
export function normalCondition(c: Condition): Condition {
  const regex = (r: readonly string[] | undefined) => (r !== undefined && r.length > 0 ? [...r].sort(byString) : []);
  switch (c.field) {
    case 'host-header':
    case 'path-pattern': {
      const rv = regex(c.regexValues);
      return rv.length > 0
        ? { field: c.field, values: [...c.values].sort(byString), regexValues: rv }
        : { field: c.field, values: [...c.values].sort(byString) };
    }
    case 'http-header': {
      const rv = regex(c.regexValues);
      const base = { field: c.field, headerName: c.headerName, values: [...c.values].sort(byString) };
      return rv.length > 0 ? { ...base, regexValues: rv } : base;
    }
    case 'http-request-method':
    case 'source-ip':
      return { field: c.field, values: [...c.values].sort(byString) };
    case 'query-string':
      return {
        field: c.field,
        values: [...c.values]
          .map((v) => (v.key === undefined ? { value: v.value } : { key: v.key, value: v.value }))
          .sort((a, b) => byString(canonicalJson(a), canonicalJson(b))),
      };
  }
}

export function normalRule(
  conditions: readonly Condition[],
  actions: readonly NormalAction[],
  transforms: readonly Transform[] | undefined,
): NormalRule {
  return {
    conditions: conditions.map(normalCondition).sort((a, b) => byString(canonicalJson(a), canonicalJson(b))),
    actions,
    transforms: [...(transforms ?? [])].sort((a, b) => byString(a.type, b.type)),
  };
}

/** Identity of a rule's content (priority excluded); the OIDC Secret reference is not part of it. */
export function ruleContentKey(rule: NormalRule): string {
  return canonicalJson({ ...rule, actions: rule.actions.map(comparableAction) });
}

export function actionsKey(actions: readonly NormalAction[]): string {
  return canonicalJson(actions.map(comparableAction));
}

function comparableAction(a: NormalAction): NormalAction {
  if (a.type !== 'authenticate-oidc') return a;
  const { secretRef: _s, ...rest } = a;
  return rest;
}

export function sortAttributes(attributes: readonly Attribute[]): Attribute[] {
  return [...attributes].sort((a, b) => byString(a.key, b.key));
}

/** Target-group ID → AWS name for one stack. */
export function targetGroupNamer(stack: Stack): (id: string) => string {
  const names = new Map(stack.targetGroups.map((t) => [t.id, t.name]));
  // An unknown ID can only come from a translation bug; it then compares unequal to anything real.
  return (id) => names.get(id) ?? `unknown-target-group:${id}`;
}

export function normalListenerConfig(listener: ListenerSpec, tgName: (id: string) => string): NormalListenerConfig {
  const [first, ...rest] = listener.certificates.map(certKey);
  const out: NormalListenerConfig = {
    protocol: listener.protocol,
    certificates: [...new Set(rest)].filter((k) => k !== first).sort(byString),
    defaultActions: listener.defaultActions.map((a) => normalAction(a, tgName)),
    attributes: sortAttributes(listener.attributes),
  };
  return {
    ...out,
    ...(listener.protocol === 'HTTPS' && listener.sslPolicy !== undefined ? { sslPolicy: listener.sslPolicy } : {}),
    ...(listener.protocol === 'HTTPS' && first !== undefined ? { defaultCertificate: first } : {}),
  };
}

export function normalRuleOf(rule: RuleSpec, tgName: (id: string) => string): NormalRule {
  return normalRule(
    rule.conditions,
    rule.actions.map((a) => normalAction(a, tgName)),
    rule.transforms,
  );
}

/** Target identity as ELBv2 sees it: ID and port (the AZ is a registration detail). */
export function targetKey(t: TargetSpec): string {
  return `${t.id}:${t.port}`;
}

export function sortTargets(targets: readonly TargetSpec[]): TargetSpec[] {
  return [...targets].sort((a, b) => byString(a.id, b.id) || a.port - b.port);
}
