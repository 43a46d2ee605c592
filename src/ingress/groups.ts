import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { AnnotationReader, KEY } from './annotations.ts';
import { indexClasses, selectClass } from './classes.ts';
import type { ResolvedOptions } from './options.ts';
import type { ClusterSnapshot, Ingress, IngressClassParams, IngressRef } from './types.ts';
import { refKey } from './types.ts';

/**
 * IngressGroups: one ALB each. Explicit groups come from `group.name` (or the class's
 * IngressClassParams `group.name`, which wins); every other Ingress is its own implicit group with
 * the ID `namespace/name`. Members are sorted by `group.order`, then `namespace/name`.
 */

export interface GroupMember {
  readonly ref: IngressRef;
  readonly ingress: Ingress;
  /** `group.order`, −1000…1000. @default 0 */
  readonly order: number;
  readonly className: string;
  readonly params?: IngressClassParams;
  /** Problems found while classifying (bad group annotations, missing params…): the member is left out. */
  readonly problems: readonly Diagnostic[];
}

export interface IngressGroup {
  /** The explicit group name, or `namespace/name` of a lone Ingress. Also the Stack ID. */
  readonly id: string;
  readonly explicit: boolean;
  /** Live members in precedence order (`group.order`, then `namespace/name`). */
  readonly members: readonly GroupMember[];
  /** Members being deleted (deletionTimestamp set): no longer part of the load balancer. */
  readonly deleting: readonly IngressRef[];
}

export interface GroupListing {
  /** Sorted by ID. */
  readonly groups: readonly IngressGroup[];
  /** Ingresses of other controllers, or with no class at all. */
  readonly ignored: readonly IngressRef[];
  /** Class-level problems of Ingresses that are in no group (a missing IngressClass). */
  readonly diagnostics: readonly Diagnostic[];
  /** `namespace/name` → group ID, for every Ingress that is in a group (members and deleting ones). */
  readonly groupOf: ReadonlyMap<string, string>;
}

const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export function compareMembers(a: GroupMember, b: GroupMember): number {
  if (a.order !== b.order) return a.order - b.order;
  const ka = refKey(a.ref);
  const kb = refKey(b.ref);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function listGroupsResolved(snapshot: ClusterSnapshot, options: ResolvedOptions): GroupListing {
  const index = indexClasses(snapshot);
  const groups = new Map<string, { explicit: boolean; members: GroupMember[]; deleting: IngressRef[] }>();
  const ignored: IngressRef[] = [];
  const diagnostics: Diagnostic[] = [];
  const groupOf = new Map<string, string>();
  for (const ing of snapshot.ingresses) {
    const ref: IngressRef = { namespace: ing.metadata.namespace, name: ing.metadata.name };
    const selection = selectClass(ing, index, options);
    if (selection.kind === 'ignored') {
      ignored.push(ref);
      continue;
    }
    if (selection.kind === 'missing') {
      diagnostics.push(selection.diagnostic);
      continue;
    }
    const problems: Diagnostic[] = [...selection.problems];
    const reader = new AnnotationReader(
      options.annotationPrefix,
      [
        {
          object: { kind: 'Ingress', namespace: ref.namespace, name: ref.name },
          annotations: ing.metadata.annotations,
        },
      ],
      problems,
    );
    let groupName = selection.params?.spec.group?.name;
    if (groupName === undefined) {
      const annotated = reader.string(KEY.groupName);
      if (annotated !== undefined && !GROUP_NAME.test(annotated)) {
        reader.error(
          KEY.groupName,
          `must be 1-63 lowercase letters, digits, '-' or '.', got ${JSON.stringify(annotated)}`,
        );
      } else groupName = annotated;
    } else if (!GROUP_NAME.test(groupName)) {
      problems.push(
        diagnostic(
          'InvalidIngressClassParams',
          { kind: 'IngressClassParams', name: selection.params?.metadata.name ?? '' },
          'spec.group.name',
          `must be 1-63 lowercase letters, digits, '-' or '.', got ${JSON.stringify(groupName)}`,
        ),
      );
      groupName = undefined;
    }
    const order = reader.integer(KEY.groupOrder, -1000, 1000) ?? 0;
    const id = groupName ?? refKey(ref);
    const group = groups.get(id) ?? { explicit: groupName !== undefined, members: [], deleting: [] };
    groups.set(id, group);
    groupOf.set(refKey(ref), id);
    if (ing.metadata.deletionTimestamp !== undefined) group.deleting.push(ref);
    else {
      group.members.push({
        ref,
        ingress: ing,
        order,
        className: selection.className,
        params: selection.params,
        problems: [...problems, ...(ing.problems ?? [])],
      });
    }
  }
  const sorted = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, g]) => ({
      id,
      explicit: g.explicit,
      members: g.members.sort(compareMembers),
      deleting: g.deleting.sort((a, b) => (refKey(a) < refKey(b) ? -1 : 1)),
    }));
  return { groups: sorted, ignored, diagnostics, groupOf };
}
