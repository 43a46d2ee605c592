import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';

/**
 * The annotation vocabulary (the sole owner of the keys) and typed readers for annotation values.
 * Values follow the AWS Load Balancer Controller's encodings: `'true'`, integers, `a,b,c` lists,
 * `k=v,k2=v2` maps and raw JSON. A bad value becomes an Error diagnostic naming the annotation.
 */

/** Keys under the annotation prefix (`alb.ingress.kubernetes.io/` by default). */
export const KEY = {
  groupName: 'group.name',
  groupOrder: 'group.order',
  loadBalancerName: 'load-balancer-name',
  scheme: 'scheme',
  ipAddressType: 'ip-address-type',
  subnets: 'subnets',
  securityGroups: 'security-groups',
  manageBackendSecurityGroupRules: 'manage-backend-security-group-rules',
  inboundCidrs: 'inbound-cidrs',
  listenPorts: 'listen-ports',
  sslRedirect: 'ssl-redirect',
  certificateArn: 'certificate-arn',
  sslPolicy: 'ssl-policy',
  loadBalancerAttributes: 'load-balancer-attributes',
  listenerAttributesPrefix: 'listener-attributes.',
  tags: 'tags',
  actionsPrefix: 'actions.',
  conditionsPrefix: 'conditions.',
  transformsPrefix: 'transforms.',
  useRegexPathMatch: 'use-regex-path-match',
  targetType: 'target-type',
  targetNodeLabels: 'target-node-labels',
  backendProtocol: 'backend-protocol',
  backendProtocolVersion: 'backend-protocol-version',
  targetGroupAttributes: 'target-group-attributes',
  healthcheckPort: 'healthcheck-port',
  healthcheckProtocol: 'healthcheck-protocol',
  healthcheckPath: 'healthcheck-path',
  healthcheckIntervalSeconds: 'healthcheck-interval-seconds',
  healthcheckTimeoutSeconds: 'healthcheck-timeout-seconds',
  healthyThresholdCount: 'healthy-threshold-count',
  unhealthyThresholdCount: 'unhealthy-threshold-count',
  successCodes: 'success-codes',
  authType: 'auth-type',
  authIdpCognito: 'auth-idp-cognito',
  authIdpOidc: 'auth-idp-oidc',
  authOnUnauthenticatedRequest: 'auth-on-unauthenticated-request',
  authScope: 'auth-scope',
  authSessionCookie: 'auth-session-cookie',
  authSessionTimeout: 'auth-session-timeout',
} as const;

/** Keys (or key prefixes, ending in `.` or `-`) Portico recognises but does not implement yet. */
export const UNSUPPORTED_KEYS: readonly string[] = [
  'wafv2-acl-arn',
  'wafv2-acl-name',
  'waf-acl-id',
  'web-acl-id',
  'shield-advanced-protection',
  'enable-frontend-nlb',
  'frontend-nlb-',
  'mutual-authentication',
  'create-acm-cert',
  'acm-pca-arn',
  'jwt-validation',
  'minimum-load-balancer-capacity',
  'ipam-ipv4-pool-id',
  'customer-owned-ipv4-pool',
  'security-group-prefix-lists',
  'multi-cluster-target-group',
  'target-control-port.',
];

/** Keys the controller writes itself; ignored when read. */
const IGNORED_KEYS = new Set(['dry-run-plan']);

const KNOWN_KEYS = new Set<string>(Object.values(KEY));
const KNOWN_PREFIXES = [KEY.listenerAttributesPrefix, KEY.actionsPrefix, KEY.conditionsPrefix, KEY.transformsPrefix];

/** The kind of an annotation key: known, not implemented yet, or unknown. */
export function classifyKey(key: string): 'known' | 'unsupported' | 'unknown' | 'ignored' {
  if (KNOWN_KEYS.has(key) || KNOWN_PREFIXES.some((p) => key.startsWith(p) && key.length > p.length)) return 'known';
  if (IGNORED_KEYS.has(key)) return 'ignored';
  if (UNSUPPORTED_KEYS.some((k) => (k.endsWith('.') || k.endsWith('-') ? key.startsWith(k) : key === k))) {
    return 'unsupported';
  }
  return 'unknown';
}

/** One place annotations are read from: an object's annotations, with that object named in diagnostics. */
export interface AnnotationSource {
  readonly object: ObjectRef;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * Reads prefixed annotations from one or more sources; the first source that has a key wins
 * (a Service before its Ingress, for per-backend keys). Problems go to `diagnostics`.
 */
export class AnnotationReader {
  readonly prefix: string;
  readonly sources: readonly AnnotationSource[];
  readonly diagnostics: Diagnostic[];

  constructor(prefix: string, sources: readonly AnnotationSource[], diagnostics: Diagnostic[]) {
    this.prefix = prefix;
    this.sources = sources;
    this.diagnostics = diagnostics;
  }

  /** The raw value and where it came from, or undefined when no source sets the key. */
  lookup(key: string): { value: string; source: AnnotationSource; field: string } | undefined {
    const full = `${this.prefix}${key}`;
    for (const source of this.sources) {
      const value = source.annotations[full];
      if (value !== undefined) return { value, source, field: `metadata.annotations[${full}]` };
    }
    return undefined;
  }

  fieldOf(key: string): string {
    return `metadata.annotations[${this.prefix}${key}]`;
  }

  /** Records an Error about `key` on the object that set it (or the first source). */
  error(key: string, message: string, code = 'InvalidAnnotation'): void {
    const where = this.lookup(key);
    const object = where?.source.object ?? this.sources[0]?.object ?? { kind: 'Ingress', name: '' };
    this.diagnostics.push(diagnostic(code, object, this.fieldOf(key), message));
  }

  warn(key: string, message: string, code = 'UnsupportedAnnotation'): void {
    const where = this.lookup(key);
    const object = where?.source.object ?? this.sources[0]?.object ?? { kind: 'Ingress', name: '' };
    this.diagnostics.push(diagnostic(code, object, this.fieldOf(key), message, 'Warning'));
  }

  string(key: string): string | undefined {
    const v = this.lookup(key)?.value.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  /** One of `allowed`; anything else is an error. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.error(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'false') return v === 'true';
    this.error(key, `must be "true" or "false", got ${JSON.stringify(v)}`);
    return undefined;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (/^-?\d+$/.test(v)) {
      const n = Number(v);
      if (n >= min && n <= max) return n;
    }
    this.error(key, `must be an integer ${min}-${max}, got ${JSON.stringify(v)}`);
    return undefined;
  }

  /** `a, b ,c` → `['a','b','c']`; empty items are dropped. */
  stringList(key: string): string[] | undefined {
    const v = this.lookup(key)?.value;
    if (v === undefined) return undefined;
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** `k=v,k2=v2` → a map; an item without `=` or with an empty key is an error. */
  stringMap(key: string): Record<string, string> | undefined {
    const items = this.stringList(key);
    if (items === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const item of items) {
      const eq = item.indexOf('=');
      const k = eq === -1 ? '' : item.slice(0, eq).trim();
      if (k === '') {
        this.error(key, `must be a list of key=value pairs, got ${JSON.stringify(item)}`);
        return undefined;
      }
      out[k] = item.slice(eq + 1).trim();
    }
    return out;
  }

  json(key: string): unknown {
    const v = this.lookup(key)?.value;
    if (v === undefined || v.trim() === '') return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch (e: unknown) {
      this.error(key, `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** Keys under the prefix that start with `subPrefix`, minus that sub-prefix (e.g. the names of `actions.*`). */
  keysWith(subPrefix: string): string[] {
    const full = `${this.prefix}${subPrefix}`;
    const names = new Set<string>();
    for (const s of this.sources) {
      for (const k of Object.keys(s.annotations))
        if (k.startsWith(full) && k.length > full.length) names.add(k.slice(full.length));
    }
    return [...names].sort();
  }
}

/** Case-insensitive member of a JSON object, as Go's encoding/json decodes (`Type` = `type`). */
export function jsonMember(o: unknown, name: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
