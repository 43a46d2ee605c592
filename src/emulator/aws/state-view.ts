import { effectiveHealth, healthCheckPort } from './health/target-health.ts';
import { loadBalancerState } from './elbv2/render.ts';
import type { AwsAction, AwsHealthCheck, AwsRuleCondition, AwsRuleTransform, AwsTargetHealth } from './elbv2/shapes.ts';
import type { RegionState } from './state/region.ts';
import type { ListenerRecord, LoadBalancerRecord, TargetGroupRecord } from './state/records.ts';
import type { ChangeListener, Store } from './state/store.ts';

/**
 * A read-only view of what the emulator holds, for the local data plane (`portico local` serves
 * every emulated ALB through the bundled proxy). Every call returns fresh snapshots; subscribe with
 * `onChange` and read again when told. Actions and conditions keep their AWS API shapes.
 */

export interface RuleView {
  readonly arn: string;
  /** 1–50000; the default rule is not in `rules` (see `ListenerView.defaultActions`). */
  readonly priority: number;
  readonly conditions: readonly AwsRuleCondition[];
  readonly actions: readonly AwsAction[];
  readonly transforms: readonly AwsRuleTransform[];
}

export interface ListenerView {
  readonly arn: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly sslPolicy: string | undefined;
  /** The default certificate first, then the SNI certificates. */
  readonly certificateArns: readonly string[];
  readonly defaultActions: readonly AwsAction[];
  /** Sorted by priority. */
  readonly rules: readonly RuleView[];
  readonly attributes: Readonly<Record<string, string>>;
}

export interface LoadBalancerView {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  readonly dnsName: string;
  readonly scheme: 'internet-facing' | 'internal';
  readonly state: 'provisioning' | 'active';
  readonly ipAddressType: string;
  readonly securityGroups: readonly string[];
  readonly subnets: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** In creation order. */
  readonly listeners: readonly ListenerView[];
}

export interface TargetView {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone: string | undefined;
  readonly healthCheckPort: number;
  readonly health: AwsTargetHealth;
}

export interface TargetGroupView {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly protocolVersion: 'HTTP1' | 'HTTP2' | 'GRPC';
  readonly port: number;
  readonly targetType: 'instance' | 'ip';
  readonly ipAddressType: 'ipv4' | 'ipv6';
  readonly healthCheck: AwsHealthCheck;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** Includes draining targets (state `draining`). */
  readonly targets: readonly TargetView[];
}

export interface CertificateView {
  readonly arn: string;
  readonly region: string;
  readonly domainName: string;
  readonly subjectAlternativeNames: readonly string[];
  readonly certificatePem: string;
  readonly chainPem: string | undefined;
  readonly privateKeyPem: string;
  readonly notAfter: Date;
}

export interface AwsEmulatorState {
  loadBalancers(): LoadBalancerView[];
  loadBalancer(arn: string): LoadBalancerView | undefined;
  targetGroups(): TargetGroupView[];
  targetGroup(arn: string): TargetGroupView | undefined;
  certificates(): CertificateView[];
  certificate(arn: string): CertificateView | undefined;
  /** Bumped on every change. */
  readonly version: number;
  /** Called after every successful mutating API call, health transition, drain completion and reset. */
  onChange(listener: ChangeListener): () => void;
}

const record = (m: ReadonlyMap<string, string>): Record<string, string> => Object.fromEntries(m);

function listenerView(l: ListenerRecord): ListenerView {
  return {
    arn: l.arn,
    port: l.port,
    protocol: l.protocol,
    sslPolicy: l.sslPolicy,
    certificateArns: [
      ...new Set([...(l.defaultCertificateArn === undefined ? [] : [l.defaultCertificateArn]), ...l.certificates]),
    ],
    defaultActions: l.defaultActions,
    rules: [...l.rules.values()]
      .sort((a, b) => a.priority - b.priority)
      .map((r) => ({
        arn: r.arn,
        priority: r.priority,
        conditions: r.conditions,
        actions: r.actions,
        transforms: r.transforms,
      })),
    attributes: record(l.attributes),
  };
}

function loadBalancerView(lb: LoadBalancerRecord, now: number): LoadBalancerView {
  return {
    arn: lb.arn,
    name: lb.name,
    region: lb.region,
    dnsName: lb.dnsName,
    scheme: lb.scheme,
    state: loadBalancerState(lb, now),
    ipAddressType: lb.ipAddressType,
    securityGroups: [...lb.securityGroups],
    subnets: lb.zones.map((z) => z.SubnetId),
    attributes: record(lb.attributes),
    tags: record(lb.tags),
    listeners: [...lb.listeners.values()].map(listenerView),
  };
}

function targetGroupView(region: RegionState, tg: TargetGroupRecord): TargetGroupView {
  return {
    arn: tg.arn,
    name: tg.name,
    region: tg.region,
    protocol: tg.protocol,
    protocolVersion: tg.protocolVersion,
    port: tg.port,
    targetType: tg.targetType,
    ipAddressType: tg.ipAddressType,
    healthCheck: tg.healthCheck,
    attributes: record(tg.attributes),
    tags: record(tg.tags),
    targets: [...tg.targets.values()].map((t) => ({
      id: t.id,
      port: t.port,
      availabilityZone: t.availabilityZone,
      healthCheckPort: healthCheckPort(tg, t),
      health: effectiveHealth(region, tg, t),
    })),
  };
}

export function createStateView(store: Store): AwsEmulatorState {
  const find = <T>(pick: (r: RegionState) => T | undefined): T | undefined => {
    for (const r of store.regions()) {
      const v = pick(r);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return {
    loadBalancers: () =>
      store
        .regions()
        .flatMap((r) => [...r.loadBalancers.values()].map((lb) => loadBalancerView(lb, store.clock.now()))),
    loadBalancer: (arn) =>
      find((r) => {
        const lb = r.loadBalancers.get(arn);
        return lb === undefined ? undefined : loadBalancerView(lb, store.clock.now());
      }),
    targetGroups: () =>
      store.regions().flatMap((r) => [...r.targetGroups.values()].map((tg) => targetGroupView(r, tg))),
    targetGroup: (arn) =>
      find((r) => {
        const tg = r.targetGroups.get(arn);
        return tg === undefined ? undefined : targetGroupView(r, tg);
      }),
    certificates: () => store.regions().flatMap((r) => [...r.certificates.values()].map(certificateView)),
    certificate: (arn) =>
      find((r) => {
        const c = r.certificates.get(arn);
        return c === undefined ? undefined : certificateView(c);
      }),
    get version() {
      return store.version;
    },
    onChange: (listener) => store.subscribe(listener),
  };
}

function certificateView(c: {
  arn: string;
  region: string;
  domainName: string;
  subjectAlternativeNames: string[];
  certificatePem: string;
  chainPem: string | undefined;
  privateKeyPem: string;
  notAfter: Date;
}): CertificateView {
  return {
    arn: c.arn,
    region: c.region,
    domainName: c.domainName,
    subjectAlternativeNames: [...c.subjectAlternativeNames],
    certificatePem: c.certificatePem,
    chainPem: c.chainPem,
    privateKeyPem: c.privateKeyPem,
    notAfter: new Date(c.notAfter.getTime()),
  };
}
