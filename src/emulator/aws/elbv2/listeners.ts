import { ApiError, constraintError, validationError } from '../wire/api-error.ts';
import type { QueryInput } from '../wire/query-input.ts';
import type { XmlValue } from '../wire/xml.ts';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord } from '../state/records.ts';
import type { RegionState } from '../state/region.ts';
import { targetGroupArnsOf } from '../state/region.ts';
import { readActions } from './actions.ts';
import { LISTENER_ATTRIBUTES, attributeList, readAttributes } from './attributes.ts';
import { applyTags, checkEnum, page, readTags } from './common.ts';
import type { OpContext, QueryOperations } from '../operations.ts';
import { getListener, getLoadBalancer } from './lookup.ts';
import { renderListener } from './render.ts';
import type { AwsAction } from './shapes.ts';
import { DEFAULT_SSL_POLICY, findSslPolicy } from './ssl-policies.ts';

/** Listener operations, listener certificates (SNI) and listener attributes. */

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE', 'QUIC', 'TCP_QUIC'] as const;

function readProtocol(value: string): 'HTTP' | 'HTTPS' {
  const p = checkEnum('Protocol', value, PROTOCOLS);
  if (p !== 'HTTP' && p !== 'HTTPS')
    throw new ApiError('UnsupportedProtocol', `Protocol '${p}' is not supported by application load balancers`);
  return p;
}

function checkCertificate(region: RegionState, arn: string): void {
  if (!region.certificates.has(arn)) throw new ApiError('CertificateNotFound', `Certificate '${arn}' not found`);
}

function readCertificateArns(input: QueryInput): string[] | undefined {
  return input.list('Certificates')?.map((c) => c.requiredString('CertificateArn'));
}

/** Fails with TooManyUniqueTargetGroupsPerLoadBalancer if `actions` would push the LB over its quota. */
export function checkUniqueTargetGroups(ctx: OpContext, lb: LoadBalancerRecord, actions: readonly AwsAction[]): void {
  const all = ctx.region.targetGroupsOfLoadBalancer(lb.arn);
  for (const arn of targetGroupArnsOf(actions)) all.add(arn);
  if (all.size > ctx.store.quotas.targetGroupsPerLoadBalancer) {
    throw new ApiError(
      'TooManyUniqueTargetGroupsPerLoadBalancer',
      `You have reached the maximum number of unique target groups per load balancer (${ctx.store.quotas.targetGroupsPerLoadBalancer})`,
    );
  }
}

function create(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const lb = getLoadBalancer(region, input.requiredString('LoadBalancerArn'));
  const protocolText = input.string('Protocol');
  if (protocolText === undefined)
    throw validationError('A protocol must be specified for application load balancer listeners');
  const protocol = readProtocol(protocolText);
  const port = input.int('Port', { min: 1, max: 65535 });
  if (port === undefined) throw validationError('A port must be specified for application load balancer listeners');
  const certificates = readCertificateArns(input) ?? [];
  const sslPolicyInput = input.string('SslPolicy');
  let sslPolicy: string | undefined;
  if (protocol === 'HTTPS') {
    if (certificates.length !== 1) {
      throw new ApiError(
        'InvalidConfigurationRequest',
        'You must provide a list containing exactly one certificate if the listener protocol is HTTPS.',
      );
    }
    certificates.forEach((c) => checkCertificate(region, c));
    sslPolicy = sslPolicyInput ?? DEFAULT_SSL_POLICY;
    if (findSslPolicy(sslPolicy) === undefined)
      throw new ApiError('SSLPolicyNotFound', `SSL policy '${sslPolicy}' not found`);
  } else if (certificates.length > 0 || sslPolicyInput !== undefined) {
    throw new ApiError(
      'InvalidConfigurationRequest',
      'Certificates and SSL policies can only be set on HTTPS listeners',
    );
  }
  const actions = readActions(input.list('DefaultActions'), {
    region,
    quotas: store.quotas,
    loadBalancerArn: lb.arn,
    listenerProtocol: protocol,
    member: 'DefaultActions',
  });
  const alpn = input.stringList('AlpnPolicy') ?? [];
  const tags = readTags(input) ?? [];
  const existing = [...lb.listeners.values()].find((l) => l.port === port);
  if (existing !== undefined) {
    const same =
      existing.protocol === protocol &&
      existing.sslPolicy === sslPolicy &&
      existing.defaultCertificateArn === certificates[0] &&
      JSON.stringify(existing.defaultActions) === JSON.stringify(actions);
    if (!same)
      throw new ApiError(
        'DuplicateListener',
        `A listener already exists on port ${port} for load balancer '${lb.arn}'`,
      );
    return { Listeners: [renderListener(existing)] };
  }
  if (lb.listeners.size >= store.quotas.listenersPerLoadBalancer) {
    throw new ApiError(
      'TooManyListeners',
      `You've reached the limit on the number of listeners per load balancer (${store.quotas.listenersPerLoadBalancer})`,
    );
  }
  checkUniqueTargetGroups(ctx, lb, actions);
  const id = store.ids.hex(16);
  const arn = `arn:aws:elasticloadbalancing:${region.name}:${region.account}:listener/app/${lb.name}/${lb.id}/${id}`;
  const defaultRule: RuleRecord = {
    arn: `arn:aws:elasticloadbalancing:${region.name}:${region.account}:listener-rule/app/${lb.name}/${lb.id}/${id}/${store.ids.hex(16)}`,
    listenerArn: arn,
    priority: 0,
    isDefault: true,
    conditions: [],
    actions,
    transforms: [],
    tags: new Map(),
    xml: undefined,
  };
  const listener: ListenerRecord = {
    arn,
    id,
    loadBalancerArn: lb.arn,
    port,
    protocol,
    sslPolicy,
    defaultCertificateArn: certificates[0],
    certificates: [],
    defaultActions: actions,
    alpnPolicy: alpn,
    attributes: new Map(LISTENER_ATTRIBUTES.defaults),
    tags: new Map(),
    defaultRule,
    rules: new Map(),
  };
  applyTags(listener.tags, tags, store.quotas.tagsPerResource, arn);
  lb.listeners.set(arn, listener);
  region.listeners.set(arn, listener);
  region.rules.set(defaultRule.arn, defaultRule);
  region.countReferences(lb.arn, actions, 1);
  return { Listeners: [renderListener(listener)] };
}

function describe(ctx: OpContext, input: QueryInput): XmlValue {
  const lbArn = input.string('LoadBalancerArn');
  const arns = input.stringList('ListenerArns');
  if (lbArn !== undefined && arns !== undefined && arns.length > 0) {
    throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
  }
  let listeners: ListenerRecord[];
  if (lbArn !== undefined) listeners = [...getLoadBalancer(ctx.region, lbArn).listeners.values()];
  else if (arns !== undefined && arns.length > 0) listeners = arns.map((arn) => getListener(ctx.region, arn));
  else throw validationError('You must specify either listener ARNs or a load balancer ARN');
  const { items, nextMarker } = page(listeners, input);
  return { Listeners: items.map(renderListener), NextMarker: nextMarker };
}

function modify(ctx: OpContext, input: QueryInput): XmlValue {
  const { region, store } = ctx;
  const listener = getListener(region, input.requiredString('ListenerArn'));
  const lb = getLoadBalancer(region, listener.loadBalancerArn);
  const port = input.int('Port', { min: 1, max: 65535 }) ?? listener.port;
  const protocolText = input.string('Protocol');
  const protocol = protocolText === undefined ? listener.protocol : readProtocol(protocolText);
  const certificates = readCertificateArns(input);
  let defaultCert = listener.defaultCertificateArn;
  let sslPolicy = input.string('SslPolicy') ?? listener.sslPolicy;
  if (protocol === 'HTTPS') {
    if (certificates !== undefined) {
      if (certificates.length !== 1) {
        throw new ApiError(
          'InvalidConfigurationRequest',
          'You must provide a list containing exactly one certificate if the listener protocol is HTTPS.',
        );
      }
      certificates.forEach((c) => checkCertificate(region, c));
      defaultCert = certificates[0];
    }
    if (defaultCert === undefined)
      throw new ApiError('InvalidConfigurationRequest', 'A certificate must be specified for HTTPS listeners');
    sslPolicy ??= DEFAULT_SSL_POLICY;
    if (findSslPolicy(sslPolicy) === undefined)
      throw new ApiError('SSLPolicyNotFound', `SSL policy '${sslPolicy}' not found`);
  } else {
    if ((certificates?.length ?? 0) > 0 || input.string('SslPolicy') !== undefined) {
      throw new ApiError(
        'InvalidConfigurationRequest',
        'Certificates and SSL policies can only be set on HTTPS listeners',
      );
    }
    defaultCert = undefined;
    sslPolicy = undefined;
  }
  if (port !== listener.port && [...lb.listeners.values()].some((l) => l.port === port)) {
    throw new ApiError('DuplicateListener', `A listener already exists on port ${port} for load balancer '${lb.arn}'`);
  }
  const actionList = input.list('DefaultActions');
  const actions =
    actionList === undefined
      ? listener.defaultActions
      : readActions(actionList, {
          region,
          quotas: store.quotas,
          loadBalancerArn: lb.arn,
          listenerProtocol: protocol,
          member: 'DefaultActions',
        });
  if (actionList === undefined && protocol === 'HTTP' && actions.some((a) => a.Type.startsWith('authenticate-'))) {
    throw new ApiError('InvalidLoadBalancerAction', 'Authenticate actions are only supported on HTTPS listeners');
  }
  checkUniqueTargetGroups(ctx, lb, actions);
  region.countReferences(lb.arn, listener.defaultActions, -1);
  region.countReferences(lb.arn, actions, 1);
  listener.port = port;
  listener.protocol = protocol;
  listener.sslPolicy = sslPolicy;
  listener.defaultCertificateArn = defaultCert;
  if (protocol === 'HTTP') listener.certificates = [];
  listener.defaultActions = actions;
  listener.defaultRule.actions = actions;
  listener.defaultRule.xml = undefined;
  const alpn = input.stringList('AlpnPolicy');
  if (alpn !== undefined) listener.alpnPolicy = alpn;
  return { Listeners: [renderListener(listener)] };
}

function remove(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  const lb = getLoadBalancer(ctx.region, listener.loadBalancerArn);
  ctx.region.countReferences(lb.arn, listener.defaultActions, -1);
  for (const rule of listener.rules.values()) {
    ctx.region.countReferences(lb.arn, rule.actions, -1);
    ctx.region.rules.delete(rule.arn);
  }
  ctx.region.rules.delete(listener.defaultRule.arn);
  ctx.region.listeners.delete(listener.arn);
  lb.listeners.delete(listener.arn);
  return undefined;
}

function addCertificates(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  const arns = readCertificateArns(input);
  if (arns === undefined || arns.length === 0)
    throw constraintError('Certificates', undefined, 'Member must not be null or empty');
  arns.forEach((arn) => checkCertificate(ctx.region, arn));
  const lb = getLoadBalancer(ctx.region, listener.loadBalancerArn);
  const fresh = [...new Set(arns)].filter((arn) => !listener.certificates.includes(arn));
  let total = fresh.length;
  for (const l of lb.listeners.values()) total += l.certificates.length;
  if (total > ctx.store.quotas.certificatesPerLoadBalancer) {
    throw new ApiError(
      'TooManyCertificates',
      `You've reached the limit on the number of certificates per load balancer (${ctx.store.quotas.certificatesPerLoadBalancer})`,
    );
  }
  listener.certificates.push(...fresh);
  return { Certificates: arns.map((CertificateArn) => ({ CertificateArn, IsDefault: false })) };
}

function removeCertificates(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  const arns = readCertificateArns(input);
  if (arns === undefined || arns.length === 0)
    throw constraintError('Certificates', undefined, 'Member must not be null or empty');
  for (const arn of arns) {
    if (arn === listener.defaultCertificateArn && !listener.certificates.includes(arn)) {
      throw new ApiError(
        'OperationNotPermitted',
        'The default certificate cannot be removed; replace it with ModifyListener',
      );
    }
  }
  listener.certificates = listener.certificates.filter((c) => !arns.includes(c));
  return undefined;
}

function describeCertificates(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  const all = [
    ...(listener.defaultCertificateArn === undefined
      ? []
      : [{ CertificateArn: listener.defaultCertificateArn, IsDefault: true }]),
    ...listener.certificates.map((CertificateArn) => ({ CertificateArn, IsDefault: false })),
  ];
  const { items, nextMarker } = page(all, input);
  return { Certificates: items, NextMarker: nextMarker };
}

function modifyAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  for (const [k, v] of readAttributes(input, LISTENER_ATTRIBUTES)) listener.attributes.set(k, v);
  return { Attributes: attributeList(listener.attributes) };
}

function describeAttributes(ctx: OpContext, input: QueryInput): XmlValue {
  const listener = getListener(ctx.region, input.requiredString('ListenerArn'));
  return { Attributes: attributeList(listener.attributes) };
}

export const listenerOperations: QueryOperations = {
  CreateListener: { mutating: true, handle: create },
  DescribeListeners: { mutating: false, handle: describe },
  ModifyListener: { mutating: true, handle: modify },
  DeleteListener: { mutating: true, handle: remove },
  AddListenerCertificates: { mutating: true, handle: addCertificates },
  RemoveListenerCertificates: { mutating: true, handle: removeCertificates },
  DescribeListenerCertificates: { mutating: false, handle: describeCertificates },
  ModifyListenerAttributes: { mutating: true, handle: modifyAttributes },
  DescribeListenerAttributes: { mutating: false, handle: describeAttributes },
};
