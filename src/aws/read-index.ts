import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { TaggedResource, TaggedStack } from './actual.ts';
import { emptyTaggedStack } from './actual.ts';
import type { AwsCaller } from './calls.ts';
import type { AwsClients } from './clients.ts';
import { fromAwsTags, parseResourceId, TAG_CLUSTER, TAG_STACK } from './tags.ts';

/**
 * The shared tagging read: one paginated `GetResources` filtered on this cluster's tag finds every
 * load balancer, listener, target group, security group and certificate Portico owns, with their
 * tags, for all stacks at once. Rules are not tagged, so they never inflate these pages.
 */
export const OWNED_RESOURCE_TYPES: readonly string[] = [
  'elasticloadbalancing:loadbalancer',
  'elasticloadbalancing:listener',
  'elasticloadbalancing:targetgroup',
  'ec2:security-group',
  'acm:certificate',
];

/** What the tagging read found, by stack. */
export interface OwnedIndex {
  readonly stacks: ReadonlyMap<string, TaggedStack>;
  /** Pages fetched (= GetResources calls). */
  readonly pages: number;
}

export interface ReadIndexOptions {
  /** Whether the tagging API lists listeners (AWS and the emulator do). @default true */
  readonly listsListeners?: boolean;
  /** Read one stack only (adds a `portico.dev/stack` filter): a reconcile then costs its own group's pages. */
  readonly stackId?: string;
}

export async function readOwnedIndex(
  caller: AwsCaller,
  clients: AwsClients,
  clusterName: string,
  options: ReadIndexOptions = {},
): Promise<OwnedIndex> {
  const listsListeners = options.listsListeners ?? true;
  const found: TaggedResource[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await caller.call('GetResources', () =>
      clients.tagging.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: TAG_CLUSTER, Values: [clusterName] },
            ...(options.stackId !== undefined ? [{ Key: TAG_STACK, Values: [options.stackId] }] : []),
          ],
          ResourceTypeFilters: [...OWNED_RESOURCE_TYPES],
          ResourcesPerPage: 100,
          ...(token !== undefined && token !== '' ? { PaginationToken: token } : {}),
        }),
      ),
    );
    pages++;
    for (const m of out.ResourceTagMappingList ?? []) {
      if (m.ResourceARN !== undefined) found.push({ arn: m.ResourceARN, tags: fromAwsTags(m.Tags) });
    }
    token = out.PaginationToken;
  } while (token !== undefined && token !== '');
  return { stacks: indexByStack(found, clusterName, listsListeners), pages };
}

type MutableTagged = {
  -readonly [K in keyof TaggedStack]: TaggedStack[K] extends ReadonlyArray<infer T> ? T[] : TaggedStack[K];
};

/** Groups owned resources by stack; anything without this cluster's tag or a stack tag is ignored. */
export function indexByStack(
  resources: readonly TaggedResource[],
  clusterName: string,
  listsListeners: boolean,
): Map<string, TaggedStack> {
  const out = new Map<string, MutableTagged>();
  for (const r of resources) {
    const stackId = r.tags[TAG_STACK];
    if (r.tags[TAG_CLUSTER] !== clusterName || stackId === undefined) continue;
    let s = out.get(stackId);
    if (s === undefined) {
      s = { ...emptyTaggedStack(stackId, listsListeners) } as MutableTagged;
      s.loadBalancers = [];
      s.listeners = [];
      s.targetGroups = [];
      s.securityGroups = [];
      s.certificates = [];
      out.set(stackId, s);
    }
    const key = parseResourceId(r.tags['portico.dev/resource']);
    const service = r.arn.split(':')[2];
    if (key.kind === 'loadbalancer' && service === 'elasticloadbalancing') s.loadBalancers.push(r);
    else if (key.kind === 'listener' && service === 'elasticloadbalancing') s.listeners.push({ ...r, port: key.port });
    else if (key.kind === 'targetgroup' && service === 'elasticloadbalancing') s.targetGroups.push(r);
    else if (key.kind === 'security-group' && service === 'ec2') s.securityGroups.push(r);
    else if (key.kind === 'certificate' && service === 'acm') s.certificates.push({ ...r, secret: key.secret });
  }
  const sorted = new Map<string, TaggedStack>();
  for (const id of [...out.keys()].sort()) {
    const s = out.get(id);
    if (s !== undefined) sorted.set(id, s);
  }
  return sorted;
}
