import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { NetworkInterface, SecurityGroup } from '@aws-sdk/client-ec2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Stack } from '../model/stack.ts';
import type { ActualStack, TaggedStack } from './actual.ts';
import type { ApplyContext } from './apply-context.ts';
import type { AwsCaller } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { ApplyError } from './errors.ts';
import type { BackendFacts, BackendNeeds, BackendRuleKey } from './plan-backend.ts';
import {
  backendGroupName,
  backendRuleDescription,
  backendRuleKey,
  decodeBackendTag,
  parseBackendRuleKey,
  targetGroupPorts,
} from './plan-backend.ts';
import { fromAwsTags, resourceId, TAG_BACKEND, TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from './tags.ts';

/**
 * The shell half of backend security-group rules: finds the cluster's backend group (once per
 * process), the security groups of the targets whose targets changed (DescribeNetworkInterfaces: by
 * `attachment.instance-id` for instance targets, by `addresses.private-ip-address` for ip targets),
 * the rules already on those groups, and — only when a rule or the group might go — what other
 * stacks still need (one tagging read filtered on `portico.dev/backend`). A stack whose summaries
 * vouch for everything costs nothing here.
 *
 * Which group of an interface gets the rule (as the AWS Load Balancer Controller): its only group,
 * else the one tagged `kubernetes.io/cluster/<cluster>`; zero or several such groups is an error.
 * Targets without an interface in the account (IP targets outside the VPC, unknown instances) need
 * no rule and are skipped.
 */
export interface BackendReadInput {
  readonly stackId: string;
  readonly desired: Stack | undefined;
  readonly tagged: TaggedStack;
  readonly actual: ActualStack;
  /** Target groups whose settings or targets were described (not vouched for by their tags). */
  readonly unverified: ReadonlySet<string>;
  readonly full: boolean;
}

interface Claim {
  readonly keys: ReadonlySet<BackendRuleKey>;
  readonly usesGroup: boolean;
}

const BATCH = 200;

/**
 * How long one read of the other stacks' backend tags serves later reconciles. Only the leader writes
 * those tags and it records what each plan relies on (`claim`) before applying it, so the tags can
 * only be missing this process's own newest needs — which `#claims` adds on every use. Without the
 * reuse, a drift pass read the whole cluster's tags once per group (11 of its 12 tagging calls per
 * group at 1,000 Ingresses in 100 groups).
 */
const OTHERS_TTL_MS = 60_000;

function sameClaim(a: Claim | undefined, b: Claim | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.usesGroup === b.usesGroup && a.keys.size === b.keys.size && [...a.keys].every((k) => b.keys.has(k));
}

interface TaggedNeeds {
  readonly stackId: string | undefined;
  readonly needs: ReturnType<typeof decodeBackendTag>;
}

export class BackendReader {
  readonly #caller: AwsCaller;
  readonly #clients: AwsClients;
  readonly #clusterName: string;
  readonly #vpcId: string | undefined;
  #group: { readonly id: string | undefined } | undefined;
  readonly #claims = new Map<string, Claim>();
  readonly #now: () => number;
  #tagged: { readonly at: number; readonly promise: Promise<TaggedNeeds[]> } | undefined;

  constructor(
    caller: AwsCaller,
    clients: AwsClients,
    clusterName: string,
    options: { readonly vpcId?: string; readonly now?: () => number } = {},
  ) {
    this.#caller = caller;
    this.#clients = clients;
    this.#clusterName = clusterName;
    this.#vpcId = options.vpcId;
    this.#now = options.now ?? Date.now;
  }

  /** Facts for `plan()`; `undefined` when the stack neither wants nor left any backend rules. */
  async read(input: BackendReadInput): Promise<BackendFacts | undefined> {
    const { desired, actual } = input;
    const want = desired?.loadBalancer.manageBackendSecurityGroupRules === true;
    const previous = new Set<BackendRuleKey>();
    for (const tg of actual.targetGroups) for (const k of decodeBackendTag(tg.tags[TAG_BACKEND]).keys) previous.add(k);
    const lbCarried = input.tagged.loadBalancers.some((l) => l.tags[TAG_BACKEND] !== undefined);
    const tgTagged = actual.targetGroups.some((t) => t.tags[TAG_BACKEND] !== undefined);
    const leftovers = lbCarried || tgTagged;
    if (desired !== undefined && !want && !leftovers) return undefined;

    const groupId = await this.#backendGroup();
    // A deleted stack with nothing left may still be the last user of the group (a crash after its load
    // balancer went): it then collects the group, so nothing is orphaned.
    if (desired === undefined && !leftovers && groupId === undefined) return undefined;
    const resolved = new Map<string, BackendRuleKey[]>();
    const multi = new Map<string, { eni: NetworkInterface; where: string }>();
    if (want && desired !== undefined) {
      const todo = desired.targetGroups.filter((tg) => {
        const have = actual.targetGroups.find((t) => t.name === tg.name);
        return (
          input.full || have === undefined || have.tags[TAG_BACKEND] === undefined || input.unverified.has(tg.name)
        );
      });
      const enis = await this.#interfaces(todo);
      for (const tg of todo) {
        const keys = new Set<BackendRuleKey>();
        for (const t of tg.targets) {
          const eni = enis.get(t.id);
          if (eni === undefined) continue;
          const groups = (eni.Groups ?? []).map((g) => g.GroupId ?? '').filter((g) => g !== '');
          if (groups.length === 1 && groups[0] !== undefined) {
            for (const p of targetGroupPorts(tg, t.port)) keys.add(backendRuleKey(groups[0], p));
          } else {
            multi.set(`${tg.name}|${t.id}|${t.port}`, { eni, where: `target ${t.id} of target group ${tg.name}` });
          }
        }
        resolved.set(tg.name, [...keys]);
      }
    }

    // Rules vouched for by the tags of target groups not re-resolved now need no look.
    const trusted = new Set<BackendRuleKey>();
    for (const tg of actual.targetGroups) {
      if (resolved.has(tg.name)) continue;
      for (const k of decodeBackendTag(tg.tags[TAG_BACKEND]).keys) trusted.add(k);
    }
    const neededNow = new Set([...resolved.values()].flat());
    const describe = new Set<string>();
    const groupOf = (k: BackendRuleKey) => parseBackendRuleKey(k)?.groupId;
    for (const k of neededNow) if (input.full || !trusted.has(k)) describe.add(groupOf(k) ?? '');
    for (const k of previous) if (input.full || !neededNow.has(k)) describe.add(groupOf(k) ?? '');
    for (const { eni } of multi.values()) for (const g of eni.Groups ?? []) describe.add(g.GroupId ?? '');
    describe.delete('');
    const described = await this.#describeGroups([...describe].sort());

    if (multi.size > 0 && desired !== undefined) {
      for (const [id, { eni, where }] of multi) {
        const [tgName = '', , port = '0'] = id.split('|');
        const tg = desired.targetGroups.find((t) => t.name === tgName);
        if (tg === undefined) continue;
        const chosen = this.#chooseGroup(eni, described, where);
        const keys = new Set(resolved.get(tgName) ?? []);
        for (const p of targetGroupPorts(tg, Number(port))) keys.add(backendRuleKey(chosen, p));
        resolved.set(tgName, [...keys]);
      }
    }

    const existing = new Map<string, Map<number, boolean>>();
    if (groupId !== undefined) {
      const interest = new Map<string, Set<number>>();
      for (const k of [...previous, ...[...resolved.values()].flat()]) {
        const p = parseBackendRuleKey(k);
        if (p !== undefined) interest.set(p.groupId, (interest.get(p.groupId) ?? new Set()).add(p.port));
      }
      for (const g of described.values()) {
        existing.set(g.GroupId ?? '', this.#rulesFrom(g, groupId, interest.get(g.GroupId ?? '') ?? new Set()));
      }
    }
    const neededAll = new Set([...trusted, ...[...resolved.values()].flat()]);
    const shrinking = [...previous].some((k) => !want || !neededAll.has(k));
    const others =
      groupId !== undefined && (input.full || !want || shrinking) ? await this.#others(input.stackId) : undefined;
    return {
      ...(groupId !== undefined ? { groupId } : {}),
      groupName: backendGroupName(this.#clusterName),
      resolved,
      existing,
      ...(others !== undefined ? { others } : {}),
    };
  }

  /** Records what a stack's plan relies on (before its apply), or forgets a deleted stack. */
  claim(stackId: string, claim: Claim | undefined): void {
    const before = this.#claims.get(stackId);
    if (claim === undefined) this.#claims.delete(stackId);
    else this.#claims.set(stackId, claim);
    // Tags read earlier may still show what this stack needed before: a stack that needs less, or
    // is gone, must not keep a rule (or the group) alive for the rest of the minute.
    if (!sameClaim(before, claim)) this.#tagged = undefined;
  }

  /** The apply-time re-check of other stacks' claims, for `ApplyContext.backendClaims`. */
  claimsFor(stackId: string): NonNullable<ApplyContext['backendClaims']> {
    const others = () => [...this.#claims].filter(([id]) => id !== stackId).map(([, c]) => c);
    return {
      ruleClaimed: (key) => others().some((c) => c.keys.has(key)),
      groupClaimed: () => others().some((c) => c.usesGroup),
      groupChanged: (id) => {
        this.#group = { id };
      },
    };
  }

  /** Forgets the cached backend group and tags (after a failed apply: they may be what changed). */
  clear(): void {
    this.#group = undefined;
    this.#tagged = undefined;
  }

  async #backendGroup(): Promise<string | undefined> {
    if (this.#group !== undefined) return this.#group.id;
    const out = await this.#caller.call('DescribeSecurityGroups', () =>
      this.#clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: `tag:${TAG_CLUSTER}`, Values: [this.#clusterName] },
            { Name: `tag:${TAG_RESOURCE}`, Values: [resourceId.backendSecurityGroup()] },
            ...(this.#vpcId !== undefined ? [{ Name: 'vpc-id', Values: [this.#vpcId] }] : []),
          ],
        }),
      ),
    );
    const ids = (out.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter((g) => g !== '');
    this.#group = { id: ids.sort()[0] };
    return this.#group.id;
  }

  /** Target ID (instance ID or IP) → its interface: an instance's primary one, or the one holding the IP. */
  async #interfaces(groups: Stack['targetGroups']): Promise<Map<string, NetworkInterface>> {
    const instances = new Set<string>();
    const ips = new Set<string>();
    for (const tg of groups) {
      for (const t of tg.targets) {
        if (tg.targetType === 'instance') instances.add(t.id);
        // Targets outside the VPC (registered with AZ `all`) have no interface in the account.
        else if (t.availabilityZone !== 'all') ips.add(t.id);
      }
    }
    const out = new Map<string, NetworkInterface>();
    const query = async (filter: string, values: string[], add: (eni: NetworkInterface) => void) => {
      for (let i = 0; i < values.length; i += BATCH) {
        const res = await this.#caller.call('DescribeNetworkInterfaces', () =>
          this.#clients.ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [
                { Name: filter, Values: values.slice(i, i + BATCH) },
                ...(this.#vpcId !== undefined ? [{ Name: 'vpc-id', Values: [this.#vpcId] }] : []),
              ],
            }),
          ),
        );
        for (const eni of res.NetworkInterfaces ?? []) add(eni);
      }
    };
    await query('attachment.instance-id', [...instances].sort(), (eni) => {
      const id = eni.Attachment?.InstanceId;
      if (id !== undefined && eni.Attachment?.DeviceIndex === 0) out.set(id, eni);
    });
    await query('addresses.private-ip-address', [...ips].sort(), (eni) => {
      for (const a of eni.PrivateIpAddresses ?? []) {
        if (a.PrivateIpAddress !== undefined && ips.has(a.PrivateIpAddress)) out.set(a.PrivateIpAddress, eni);
      }
    });
    return out;
  }

  async #describeGroups(ids: readonly string[]): Promise<Map<string, SecurityGroup>> {
    const out = new Map<string, SecurityGroup>();
    for (let i = 0; i < ids.length; i += BATCH) {
      const res = await this.#caller.call('DescribeSecurityGroups', () =>
        this.#clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids.slice(i, i + BATCH) })),
      );
      for (const g of res.SecurityGroups ?? []) if (g.GroupId !== undefined) out.set(g.GroupId, g);
    }
    return out;
  }

  #chooseGroup(eni: NetworkInterface, described: ReadonlyMap<string, SecurityGroup>, where: string): string {
    const ids = (eni.Groups ?? []).map((g) => g.GroupId ?? '').filter((g) => g !== '');
    const tag = `kubernetes.io/cluster/${this.#clusterName}`;
    const tagged = ids.filter((id) => fromAwsTags(described.get(id)?.Tags)[tag] !== undefined);
    if (tagged.length === 1 && tagged[0] !== undefined) return tagged[0];
    throw new ApplyError(
      'DescribeNetworkInterfaces',
      `${where}: interface ${eni.NetworkInterfaceId ?? '?'} has security groups ${ids.join(', ') || '(none)'}, ` +
        `and ${tagged.length} of them carry the tag '${tag}'; tag exactly one so Portico knows where backend rules go`,
      false,
    );
  }

  /** Rules from the backend group on one security group, for the ports of interest: port → added by Portico. */
  #rulesFrom(g: SecurityGroup, backendId: string, interest: ReadonlySet<number>): Map<number, boolean> {
    const out = new Map<number, boolean>();
    const ours = backendRuleDescription(this.#clusterName);
    for (const p of g.IpPermissions ?? []) {
      const pairs = (p.UserIdGroupPairs ?? []).filter((u) => u.GroupId === backendId);
      if (pairs.length === 0) continue;
      const all = p.IpProtocol === '-1';
      if (!all && p.IpProtocol !== 'tcp') continue;
      if (!all && p.FromPort !== undefined && p.FromPort === p.ToPort) {
        out.set(p.FromPort, out.get(p.FromPort) === true || pairs.some((u) => u.Description === ours));
        continue;
      }
      // A wider rule someone else wrote already admits these ports; it is never Portico's to revoke.
      for (const port of interest) {
        if (all || (port >= (p.FromPort ?? 0) && port <= (p.ToPort ?? 65535))) {
          if (!out.has(port)) out.set(port, false);
        }
      }
    }
    return out;
  }

  /** What the other stacks' target groups and load balancers need: their tags, plus this process's claims. */
  async #others(stackId: string): Promise<BackendNeeds & { groupInUse: boolean }> {
    const keys = new Set<BackendRuleKey>();
    const anyGroupPorts = new Set<number>();
    let groupInUse = false;
    for (const t of await this.#taggedNeeds()) {
      if (t.stackId === stackId) continue;
      groupInUse = true;
      for (const k of t.needs.keys) keys.add(k);
      for (const p of t.needs.anyGroupPorts) anyGroupPorts.add(p);
    }
    for (const [id, c] of this.#claims) {
      if (id === stackId) continue;
      for (const k of c.keys) keys.add(k);
      groupInUse ||= c.usesGroup;
    }
    return { keys, anyGroupPorts, groupInUse };
  }

  /** Every load balancer's and target group's `portico.dev/backend` tag in the cluster (one paginated read, reused for a minute). */
  #taggedNeeds(): Promise<TaggedNeeds[]> {
    const now = this.#now();
    if (this.#tagged !== undefined && now - this.#tagged.at < OTHERS_TTL_MS) return this.#tagged.promise;
    const read = this.#readTaggedNeeds();
    const entry = { at: now, promise: read };
    this.#tagged = entry;
    // A failed read is not reused.
    read.catch(() => {
      if (this.#tagged === entry) this.#tagged = undefined;
    });
    return read;
  }

  async #readTaggedNeeds(): Promise<TaggedNeeds[]> {
    const out: TaggedNeeds[] = [];
    let token: string | undefined;
    do {
      const page = await this.#caller.call('GetResources', () =>
        this.#clients.tagging.send(
          new GetResourcesCommand({
            TagFilters: [{ Key: TAG_CLUSTER, Values: [this.#clusterName] }, { Key: TAG_BACKEND }],
            ResourceTypeFilters: ['elasticloadbalancing:loadbalancer', 'elasticloadbalancing:targetgroup'],
            ResourcesPerPage: 100,
            ...(token !== undefined && token !== '' ? { PaginationToken: token } : {}),
          }),
        ),
      );
      for (const m of page.ResourceTagMappingList ?? []) {
        const tags = fromAwsTags(m.Tags);
        out.push({ stackId: tags[TAG_STACK], needs: decodeBackendTag(tags[TAG_BACKEND]) });
      }
      token = page.PaginationToken;
    } while (token !== undefined && token !== '');
    return out;
  }
}
