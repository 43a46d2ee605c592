import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import type { Subnet } from '@aws-sdk/client-ec2';
import type { Stack } from '../model/stack.ts';
import type { AwsCaller, Clock } from './calls.ts';
import { systemClock } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { ApplyError } from './errors.ts';
import type { ResolvedNetwork } from './plan-resources.ts';

/**
 * Subnet and security-group discovery (reference/aws-lbc.md §6), run by the shell before planning
 * and only when a load balancer is created or its settings are re-read:
 * - subnets from the stack's list (IDs or Name tags), or discovered by the role tag
 *   (`kubernetes.io/role/elb` / `internal-elb`), dropping subnets tagged for another cluster only,
 *   one per AZ (this cluster's tag first, then the lowest ID), at least two AZs;
 * - discovery is sticky: an existing load balancer keeps its subnets;
 * - the user's security groups by ID or Name tag.
 * Results are cached for `ttlMs`: subnets change rarely and every discovery is a call.
 */
export interface NetworkOptions {
  readonly clusterName: string;
  /** Restrict discovery to this VPC. */
  readonly vpcId?: string;
  /** @default 10 minutes */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

export class NetworkResolver {
  readonly #caller: AwsCaller;
  readonly #clients: AwsClients;
  readonly #options: NetworkOptions;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { at: number; value: { subnetIds: string[]; vpcId: string } }>();
  #cidrs: { at: number; value: string[] } | undefined;

  constructor(caller: AwsCaller, clients: AwsClients, options: NetworkOptions) {
    this.#caller = caller;
    this.#clients = clients;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** `sticky`: the load balancer exists, so discovered subnets are not re-evaluated. */
  async resolve(stack: Stack, sticky: boolean): Promise<ResolvedNetwork> {
    const lb = stack.loadBalancer;
    let subnetIds: string[] | undefined;
    let vpcId = this.#options.vpcId;
    if (lb.subnets.kind === 'list') {
      const r = await this.#cached(`list:${lb.subnets.ids.join(',')}|${lb.subnets.names.join(',')}`, () =>
        this.#listed(stack, lb.subnets.kind === 'list' ? lb.subnets : { ids: [], names: [] }),
      );
      subnetIds = r.subnetIds;
      vpcId ??= r.vpcId;
    } else if (!sticky) {
      const r = await this.#cached(`discover:${lb.scheme}`, () => this.#discover(stack));
      subnetIds = r.subnetIds;
      vpcId ??= r.vpcId;
    }
    let securityGroupIds: string[] | undefined;
    if (lb.securityGroups.kind === 'list') {
      const sg = lb.securityGroups;
      securityGroupIds = [...sg.ids];
      if (sg.names.length > 0) {
        const out = await this.#caller.call('DescribeSecurityGroups', () =>
          this.#clients.ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: [
                { Name: 'group-name', Values: [...sg.names] },
                ...(vpcId !== undefined ? [{ Name: 'vpc-id', Values: [vpcId] }] : []),
              ],
            }),
          ),
        );
        const found = new Map((out.SecurityGroups ?? []).map((g) => [g.GroupName ?? '', g.GroupId ?? '']));
        for (const name of sg.names) {
          const id = found.get(name);
          if (id === undefined)
            throw new ApplyError('DescribeSecurityGroups', `${stack.id}: security group '${name}' not found`, false);
          securityGroupIds.push(id);
        }
      }
      securityGroupIds = [...new Set(securityGroupIds)].sort();
    }
    return {
      vpcId: vpcId ?? '',
      ...(subnetIds !== undefined ? { subnetIds } : {}),
      ...(securityGroupIds !== undefined ? { securityGroupIds } : {}),
    };
  }

  /** CIDR blocks of the configured VPC (or of every VPC), cached like subnets. */
  async vpcCidrs(): Promise<string[]> {
    const now = this.#clock.now();
    if (this.#cidrs !== undefined && now - this.#cidrs.at < (this.#options.ttlMs ?? 600_000)) return this.#cidrs.value;
    const vpc = this.#options.vpcId;
    const out = await this.#caller.call('DescribeVpcs', () =>
      this.#clients.ec2.send(new DescribeVpcsCommand(vpc !== undefined ? { VpcIds: [vpc] } : {})),
    );
    const cidrs = new Set<string>();
    for (const v of out.Vpcs ?? []) {
      if (v.CidrBlock !== undefined) cidrs.add(v.CidrBlock);
      for (const a of v.CidrBlockAssociationSet ?? []) if (a.CidrBlock !== undefined) cidrs.add(a.CidrBlock);
    }
    this.#cidrs = { at: now, value: [...cidrs].sort() };
    return this.#cidrs.value;
  }

  /** Forgets discovered subnets (after an apply failed: they may be what changed). */
  clear(): void {
    this.#cache.clear();
    this.#cidrs = undefined;
  }

  /** The VPC to create target groups and security groups in. */
  async vpcFor(stack: Stack): Promise<string> {
    if (this.#options.vpcId !== undefined) return this.#options.vpcId;
    const r = await this.resolve(stack, false);
    return r.vpcId;
  }

  async #cached(
    key: string,
    load: () => Promise<{ subnetIds: string[]; vpcId: string }>,
  ): Promise<{ subnetIds: string[]; vpcId: string }> {
    const hit = this.#cache.get(key);
    const now = this.#clock.now();
    if (hit !== undefined && now - hit.at < (this.#options.ttlMs ?? 600_000)) return hit.value;
    const value = await load();
    this.#cache.set(key, { at: now, value });
    return value;
  }

  async #listed(stack: Stack, sel: { ids: readonly string[]; names: readonly string[] }) {
    const found: Subnet[] = [];
    if (sel.ids.length > 0) {
      const out = await this.#caller.call('DescribeSubnets', () =>
        this.#clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...sel.ids] })),
      );
      found.push(...(out.Subnets ?? []));
    }
    if (sel.names.length > 0) {
      const out = await this.#caller.call('DescribeSubnets', () =>
        this.#clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: [...sel.names] }] })),
      );
      found.push(...(out.Subnets ?? []));
    }
    const vpcs = new Set(found.map((s) => s.VpcId));
    if (vpcs.size > 1)
      throw new ApplyError('DescribeSubnets', `${stack.id}: the listed subnets span several VPCs`, false);
    return { subnetIds: [...new Set(found.map((s) => s.SubnetId ?? ''))].sort(), vpcId: found[0]?.VpcId ?? '' };
  }

  async #discover(stack: Stack) {
    const role =
      stack.loadBalancer.scheme === 'internal' ? 'kubernetes.io/role/internal-elb' : 'kubernetes.io/role/elb';
    const vpc = this.#options.vpcId;
    const out = await this.#caller.call('DescribeSubnets', () =>
      this.#clients.ec2.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'tag-key', Values: [role] },
            ...(vpc !== undefined ? [{ Name: 'vpc-id', Values: [vpc] }] : []),
          ],
        }),
      ),
    );
    const chosen = chooseSubnets(out.Subnets ?? [], role, this.#options.clusterName);
    if (chosen.length < 2) {
      throw new ApplyError(
        'DescribeSubnets',
        `${stack.id}: found subnets in ${chosen.length} availability zone(s) tagged '${role}' for cluster '${this.#options.clusterName}'; an ALB needs at least 2`,
        false,
      );
    }
    return { subnetIds: chosen.map((s) => s.SubnetId ?? '').sort(), vpcId: chosen[0]?.VpcId ?? '' };
  }
}

/** One subnet per AZ, in one VPC: this cluster's tagged subnets first, then the lowest ID. */
export function chooseSubnets(subnets: readonly Subnet[], role: string, clusterName: string): Subnet[] {
  const ours = `kubernetes.io/cluster/${clusterName}`;
  const tagsOf = (s: Subnet) => new Map((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const eligible = subnets.filter((s) => {
    const tags = tagsOf(s);
    const roleValue = tags.get(role);
    if (roleValue !== '' && roleValue !== '1') return false;
    const clusters = [...tags.keys()].filter((k) => k.startsWith('kubernetes.io/cluster/'));
    return clusters.length === 0 || clusters.includes(ours);
  });
  const rank = (s: Subnet) => (tagsOf(s).has(ours) ? 0 : 1);
  const sorted = [...eligible].sort((a, b) => rank(a) - rank(b) || (a.SubnetId ?? '').localeCompare(b.SubnetId ?? ''));
  const vpc = sorted[0]?.VpcId;
  const byZone = new Map<string, Subnet>();
  for (const s of sorted) {
    if (s.VpcId !== vpc) continue;
    const zone = s.AvailabilityZone ?? '';
    if (!byZone.has(zone)) byZone.set(zone, s);
  }
  return [...byZone.values()];
}
