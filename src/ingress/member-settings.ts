import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import { parseCidr } from '../model/match.ts';
import { validateAwsName } from '../model/names.ts';
import type { IpAddressType, ListenerProtocol, Scheme } from '../model/stack.ts';
import { AnnotationReader, classifyKey, isJsonObject, KEY } from './annotations.ts';
import type { GroupMember } from './groups.ts';
import type { IngressClassParams } from './types.ts';

/**
 * The load-balancer-level settings one member asks for (annotations, overridden field by field by
 * its IngressClassParams). `merge.ts` combines them across the group.
 */

export interface ListenPort {
  readonly protocol: ListenerProtocol;
  readonly port: number;
}

/** Settings of one member; undefined = the member does not set it. */
export interface MemberSettings {
  readonly loadBalancerName?: string;
  readonly scheme?: Scheme;
  readonly ipAddressType?: IpAddressType;
  readonly subnets?: { readonly ids: readonly string[]; readonly names: readonly string[] };
  readonly securityGroups?: { readonly ids: readonly string[]; readonly names: readonly string[] };
  readonly manageBackendSecurityGroupRules?: boolean;
  readonly inboundCidrs?: readonly string[];
  /** Keys set by IngressClassParams are final and never conflict. */
  readonly loadBalancerAttributes: Readonly<Record<string, string>>;
  readonly classAttributeKeys: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly ports: readonly ListenPort[];
  readonly sslRedirect?: number;
  readonly sslPolicy?: string;
  /** Explicit certificate ARNs (class or annotation); empty means discovery. */
  readonly certificateArns: readonly string[];
  /** `PROTOCOL:port` → attributes. */
  readonly listenerAttributes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly useRegexPathMatch: boolean;
}

function splitIdsAndNames(values: readonly string[], idPrefix: string): { ids: string[]; names: string[] } {
  const ids = values.filter((v) => v.startsWith(idPrefix)).sort();
  const names = values.filter((v) => !v.startsWith(idPrefix)).sort();
  return { ids, names };
}

function paramsRef(params: IngressClassParams): ObjectRef {
  return { kind: 'IngressClassParams', name: params.metadata.name };
}

function oneOfParam<T extends string>(
  params: IngressClassParams,
  field: string,
  value: string | undefined,
  allowed: readonly T[],
  out: Diagnostic[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  out.push(
    diagnostic(
      'InvalidIngressClassParams',
      paramsRef(params),
      `spec.${field}`,
      `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    ),
  );
  return undefined;
}

function listenPorts(r: AnnotationReader): ListenPort[] | undefined {
  const json = r.json(KEY.listenPorts);
  if (json === undefined) return undefined;
  const bad = () => {
    r.error(KEY.listenPorts, `must be a JSON list like [{"HTTP": 80}, {"HTTPS": 443}] with ports 1-65535`);
    return undefined;
  };
  if (!Array.isArray(json) || json.length === 0) return bad();
  const out = new Map<number, ListenerProtocol>();
  for (const item of json) {
    if (!isJsonObject(item)) return bad();
    for (const [k, v] of Object.entries(item)) {
      const protocol = k.toUpperCase();
      if (
        (protocol !== 'HTTP' && protocol !== 'HTTPS') ||
        typeof v !== 'number' ||
        !Number.isInteger(v) ||
        v < 1 ||
        v > 65535
      )
        return bad();
      const had = out.get(v);
      if (had !== undefined && had !== protocol) {
        r.error(KEY.listenPorts, `port ${v} is listed as both ${had} and ${protocol}`);
        return undefined;
      }
      out.set(v, protocol);
    }
  }
  return [...out.entries()].sort(([a], [b]) => a - b).map(([port, protocol]) => ({ protocol, port }));
}

function cidrs(values: readonly string[], report: (bad: string) => void): string[] | undefined {
  const bad = values.find((c) => parseCidr(c) === undefined);
  if (bad !== undefined) {
    report(bad);
    return undefined;
  }
  return [...new Set(values)].sort();
}

/** Reads the settings of one member; problems are appended to `out`. */
export function readMemberSettings(member: GroupMember, prefix: string, out: Diagnostic[]): MemberSettings {
  const ing = member.ingress;
  const ref: ObjectRef = { kind: 'Ingress', namespace: ing.metadata.namespace, name: ing.metadata.name };
  const r = new AnnotationReader(prefix, [{ object: ref, annotations: ing.metadata.annotations }], out);
  const p = member.params;
  const ps = p?.spec;

  for (const key of Object.keys(ing.metadata.annotations).sort()) {
    if (!key.startsWith(prefix)) continue;
    const short = key.slice(prefix.length);
    const kind = classifyKey(short);
    if (kind === 'unsupported') r.warn(short, `${key} is not implemented by Portico yet and has no effect`);
    else if (kind === 'unknown')
      r.warn(short, `${key} is not an annotation Portico knows; check the spelling`, 'UnknownAnnotation');
  }
  if (p !== undefined) {
    for (const f of p.spec.unsupported) {
      out.push(
        diagnostic(
          'UnsupportedAnnotation',
          paramsRef(p),
          `spec.${f}`,
          `spec.${f} is not implemented by Portico yet and has no effect`,
          'Warning',
        ),
      );
    }
    if (p.spec.subnets?.tags !== undefined) {
      out.push(
        diagnostic(
          'UnsupportedAnnotation',
          paramsRef(p),
          'spec.subnets.tags',
          'subnet tag filters are not implemented yet; subnets are discovered by role tags',
          'Warning',
        ),
      );
    }
    if (p.spec.prefixListsIDs !== undefined) {
      out.push(
        diagnostic(
          'UnsupportedAnnotation',
          paramsRef(p),
          'spec.prefixListsIDs',
          'security-group prefix lists are not implemented yet',
          'Warning',
        ),
      );
    }
  }

  let loadBalancerName = ps?.loadBalancerName ?? r.string(KEY.loadBalancerName);
  if (loadBalancerName !== undefined) {
    const problem = validateAwsName(loadBalancerName, 'load balancer');
    if (problem !== undefined) {
      if (ps?.loadBalancerName !== undefined)
        out.push(
          diagnostic('InvalidIngressClassParams', paramsRef(p as IngressClassParams), 'spec.loadBalancerName', problem),
        );
      else r.error(KEY.loadBalancerName, problem);
      loadBalancerName = undefined;
    }
  }
  const schemes = ['internet-facing', 'internal'] as const;
  const ipTypes = ['ipv4', 'dualstack', 'dualstack-without-public-ipv4'] as const;
  const scheme =
    p !== undefined && ps?.scheme !== undefined
      ? oneOfParam(p, 'scheme', ps.scheme, schemes, out)
      : r.oneOf<Scheme>(KEY.scheme, schemes);
  const ipAddressType =
    p !== undefined && ps?.ipAddressType !== undefined
      ? oneOfParam(p, 'ipAddressType', ps.ipAddressType, ipTypes, out)
      : r.oneOf<IpAddressType>(KEY.ipAddressType, ipTypes);

  const subnetList = ps?.subnets?.ids ?? r.stringList(KEY.subnets);
  const sgList = r.stringList(KEY.securityGroups);
  const inbound =
    ps?.inboundCIDRs !== undefined
      ? cidrs(ps.inboundCIDRs, (bad) =>
          out.push(
            diagnostic(
              'InvalidIngressClassParams',
              paramsRef(p as IngressClassParams),
              'spec.inboundCIDRs',
              `${JSON.stringify(bad)} is not a CIDR block`,
            ),
          ),
        )
      : (() => {
          const list = r.stringList(KEY.inboundCidrs);
          return list === undefined
            ? undefined
            : cidrs(list, (bad) => r.error(KEY.inboundCidrs, `${JSON.stringify(bad)} is not a CIDR block`));
        })();

  const lbAttributes: Record<string, string> = { ...(r.stringMap(KEY.loadBalancerAttributes) ?? {}) };
  for (const a of ps?.loadBalancerAttributes ?? []) lbAttributes[a.key] = a.value;
  const tags: Record<string, string> = { ...(r.stringMap(KEY.tags) ?? {}) };
  for (const t of ps?.tags ?? []) tags[t.key] = t.value;

  const certificateArns = ps?.certificateArn ?? r.stringList(KEY.certificateArn) ?? [];
  const badArn = certificateArns.find((a) => !/^arn:[a-z-]+:(acm|iam):/.test(a));
  if (badArn !== undefined)
    r.error(KEY.certificateArn, `${JSON.stringify(badArn)} is not an ACM or IAM certificate ARN`);

  let ports = listenPorts(r);
  if (ports === undefined) {
    // Portico's defaults (DESIGN.md): HTTP:80, plus HTTPS:443 when spec.tls is set; an explicit
    // certificate ARN without listen-ports means HTTPS:443 only, as in the AWS controller.
    ports = certificateArns.length > 0 ? [{ protocol: 'HTTPS', port: 443 }] : [{ protocol: 'HTTP', port: 80 }];
    if (certificateArns.length === 0 && ing.spec.tls.length > 0) ports.push({ protocol: 'HTTPS', port: 443 });
  }

  let sslRedirect: number | undefined;
  if (ps?.sslRedirectPort !== undefined) {
    const n = Number(ps.sslRedirectPort);
    if (/^\d+$/.test(ps.sslRedirectPort) && n >= 1 && n <= 65535) sslRedirect = n;
    else
      out.push(
        diagnostic(
          'InvalidIngressClassParams',
          paramsRef(p as IngressClassParams),
          'spec.sslRedirectPort',
          `must be a port 1-65535, got ${JSON.stringify(ps.sslRedirectPort)}`,
        ),
      );
  } else sslRedirect = r.integer(KEY.sslRedirect, 1, 65535);

  const sslPolicy = ps?.sslPolicy ?? r.string(KEY.sslPolicy);
  if (sslPolicy !== undefined && !/^[A-Za-z0-9-]{1,128}$/.test(sslPolicy))
    r.error(KEY.sslPolicy, `${JSON.stringify(sslPolicy)} is not a security policy name`);

  const listenerAttributes: Record<string, Record<string, string>> = {};
  for (const suffix of r.keysWith(KEY.listenerAttributesPrefix)) {
    const m = /^(HTTPS?)-(\d{1,5})$/.exec(suffix);
    const key = `${KEY.listenerAttributesPrefix}${suffix}`;
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      r.error(key, 'must be named listener-attributes.<HTTP|HTTPS>-<port>');
      continue;
    }
    listenerAttributes[`${m[1]}:${m[2]}`] = r.stringMap(key) ?? {};
  }
  for (const l of ps?.listeners ?? []) {
    const k = `${l.protocol.toUpperCase()}:${l.port}`;
    listenerAttributes[k] = {
      ...(listenerAttributes[k] ?? {}),
      ...Object.fromEntries(l.listenerAttributes.map((a) => [a.key, a.value])),
    };
  }

  return {
    loadBalancerName,
    scheme,
    ipAddressType,
    subnets: subnetList === undefined ? undefined : splitIdsAndNames(subnetList, 'subnet-'),
    securityGroups: sgList === undefined ? undefined : splitIdsAndNames(sgList, 'sg-'),
    manageBackendSecurityGroupRules: r.boolean(KEY.manageBackendSecurityGroupRules),
    inboundCidrs: inbound,
    loadBalancerAttributes: lbAttributes,
    classAttributeKeys: (ps?.loadBalancerAttributes ?? []).map((a) => a.key),
    tags,
    ports,
    sslRedirect,
    sslPolicy,
    certificateArns: [...new Set(certificateArns)],
    listenerAttributes,
    useRegexPathMatch: r.boolean(KEY.useRegexPathMatch) ?? false,
  };
}
