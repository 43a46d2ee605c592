/**
 * Controller configuration: flags and environment → one frozen, validated Config. Validation
 * collects every problem, not just the first, and names the flag or variable each one is about.
 */
import type { Attribute, Scheme, TargetType } from '../model/stack.ts';

export type Provider = 'aws' | 'envoy';

export interface ControllerDefaults {
  /** @default 'instance' (as the AWS Load Balancer Controller) */
  readonly targetType: TargetType;
  /** @default 'internal' */
  readonly scheme: Scheme;
  readonly sslPolicy?: string;
  /** `round_robin`, `least_outstanding_requests` or `weighted_random`. */
  readonly loadBalancingAlgorithm?: string;
  readonly targetGroupAttributes: readonly Attribute[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface Config {
  readonly provider: Provider;
  readonly clusterName: string;
  readonly awsRegion: string;
  /** From `AWS_ENDPOINT_URL` (LocalStack: `http://localhost:4566`); undefined means AWS itself. */
  readonly awsEndpoint?: string;
  readonly kubeconfig?: string;
  /** Namespaces to watch; empty means all. */
  readonly watchNamespaces: readonly string[];
  readonly ingressClass: string;
  readonly controllerName: string;
  readonly annotationPrefix: string;
  readonly defaults: ControllerDefaults;
  readonly rulePacking: boolean;
  readonly maxConcurrentReconciles: number;
  readonly driftCheckIntervalMs: number;
  readonly metricsAddress: string;
  readonly healthAddress: string;
  readonly leaderElection: {
    readonly enabled: boolean;
    readonly namespace: string;
    readonly leaseName: string;
    readonly leaseDurationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  /** Envoy provider: where the ADS server listens. */
  readonly xdsAddress: string;
  readonly logLevel: string;
}

/** Raw flag values as parsed by the CLI (strings and booleans). */
export type RawFlags = Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;

export interface ConfigProblem {
  /** `--flag` or `ENV_VAR`. */
  readonly source: string;
  readonly message: string;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;

/** Parses `500ms`, `30s`, `5m`, `1h`. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000;
  return n * unit;
}

/** Parses `k1=v1,k2=v2`. */
export function parseKeyValues(text: string): Array<[string, string]> | undefined {
  if (text.trim() === '') return [];
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return out;
}

export function loadConfig(
  flags: RawFlags,
  env: Readonly<Record<string, string | undefined>>,
): Config | ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const str = (flag: string, envName: string | undefined, fallback: string): string => {
    const v = flags[flag];
    if (typeof v === 'string') return v;
    const e = envName === undefined ? undefined : env[envName];
    return e !== undefined && e !== '' ? e : fallback;
  };
  const oneOf = <T extends string>(flag: string, value: string, allowed: readonly T[]): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push({ source: `--${flag}`, message: `must be one of ${allowed.join(', ')}, got '${value}'` });
    return allowed[0] as T;
  };
  const duration = (flag: string, fallback: string): number => {
    const text = str(flag, undefined, fallback);
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      problems.push({ source: `--${flag}`, message: `must be a positive duration like 30s, 5m or 1h, got '${text}'` });
      return parseDuration(fallback) ?? 0;
    }
    return ms;
  };
  const keyValues = (flag: string): Array<[string, string]> => {
    const text = str(flag, undefined, '');
    const kv = parseKeyValues(text);
    if (kv === undefined) {
      problems.push({ source: `--${flag}`, message: `must be key=value pairs separated by commas, got '${text}'` });
      return [];
    }
    return kv;
  };

  const provider = oneOf<Provider>('provider', str('provider', 'PORTICO_PROVIDER', 'aws'), ['aws', 'envoy']);
  const clusterName = str('cluster-name', 'PORTICO_CLUSTER_NAME', '');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/.test(clusterName)) {
    problems.push({
      source: '--cluster-name',
      message:
        clusterName === ''
          ? 'is required (it scopes every AWS resource Portico owns)'
          : `must be 1-100 characters of letters, digits, '.', '_' or '-', got '${clusterName}'`,
    });
  }
  const awsRegion = str('aws-region', 'AWS_REGION', env['AWS_DEFAULT_REGION'] ?? 'us-east-1');
  const awsEndpoint =
    env['AWS_ENDPOINT_URL'] !== undefined && env['AWS_ENDPOINT_URL'] !== '' ? env['AWS_ENDPOINT_URL'] : undefined;
  if (awsEndpoint !== undefined && !/^https?:\/\//.test(awsEndpoint)) {
    problems.push({ source: 'AWS_ENDPOINT_URL', message: `must be an http(s) URL, got '${awsEndpoint}'` });
  }
  const watchNamespaces = str('watch-namespace', 'PORTICO_WATCH_NAMESPACE', '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const concurrency = Number(str('max-concurrent-reconciles', undefined, '3'));
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    problems.push({ source: '--max-concurrent-reconciles', message: 'must be an integer 1-100' });
  }
  const defaults: ControllerDefaults = {
    targetType: oneOf<TargetType>('default-target-type', str('default-target-type', undefined, 'instance'), [
      'instance',
      'ip',
    ]),
    scheme: oneOf<Scheme>('default-scheme', str('default-scheme', undefined, 'internal'), [
      'internal',
      'internet-facing',
    ]),
    ...(typeof flags['default-ssl-policy'] === 'string' ? { sslPolicy: flags['default-ssl-policy'] } : {}),
    ...(typeof flags['default-load-balancing-algorithm'] === 'string'
      ? {
          loadBalancingAlgorithm: oneOf('default-load-balancing-algorithm', flags['default-load-balancing-algorithm'], [
            'round_robin',
            'least_outstanding_requests',
            'weighted_random',
          ]),
        }
      : {}),
    targetGroupAttributes: keyValues('default-target-group-attributes')
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    tags: Object.fromEntries(keyValues('default-tags').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  const leaseDurationMs = duration('leader-election-lease-duration', '15s');
  const renewDeadlineMs = duration('leader-election-renew-deadline', '10s');
  const retryPeriodMs = duration('leader-election-retry-period', '2s');
  if (renewDeadlineMs >= leaseDurationMs) {
    problems.push({ source: '--leader-election-renew-deadline', message: 'must be shorter than the lease duration' });
  }
  const kubeconfig = str('kubeconfig', 'KUBECONFIG', '');
  const config: Config = {
    provider,
    clusterName,
    awsRegion,
    ...(awsEndpoint !== undefined ? { awsEndpoint } : {}),
    ...(kubeconfig !== '' ? { kubeconfig } : {}),
    watchNamespaces,
    ingressClass: str('ingress-class', undefined, 'portico'),
    controllerName: str('controller-name', undefined, 'portico.dev/ingress-controller'),
    annotationPrefix: str('annotation-prefix', undefined, 'alb.ingress.kubernetes.io/'),
    defaults,
    rulePacking: flags['no-rule-packing'] !== true,
    maxConcurrentReconciles: concurrency,
    driftCheckIntervalMs: duration('drift-check-interval', '1h'),
    metricsAddress: str('metrics-address', undefined, ':8080'),
    healthAddress: str('health-address', undefined, ':8081'),
    leaderElection: {
      enabled: flags['no-leader-election'] !== true,
      namespace: str('leader-election-namespace', 'POD_NAMESPACE', 'kube-system'),
      leaseName: str('leader-election-id', undefined, 'portico-controller'),
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
    xdsAddress: str('xds-address', undefined, '127.0.0.1:18000'),
    logLevel: oneOf('log-level', str('log-level', 'PORTICO_LOG_LEVEL', 'info'), [
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'silent',
    ]),
  };
  return problems.length > 0 ? problems : Object.freeze(config);
}
