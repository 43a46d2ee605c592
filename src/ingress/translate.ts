import { sortDiagnostics } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Stack } from '../model/stack.ts';
import { buildGroup } from './build.ts';
import { listGroupsResolved } from './groups.ts';
import type { GroupListing, IngressGroup } from './groups.ts';
import { resolveOptions } from './options.ts';
import { indexSnapshot } from './snapshot-index.ts';
import type { SnapshotIndex } from './snapshot-index.ts';
import type { TranslateOptions } from './options.ts';
import type { CertificateCatalog, ClusterSnapshot, IngressRef } from './types.ts';

/**
 * Kubernetes → the desired ALB, one IngressGroup at a time. Pure: the snapshot, the certificate
 * catalog and the options (including the time) come in; a Stack and diagnostics come out.
 */

export interface TranslateResult {
  /** The group (= Stack) ID. */
  readonly groupId: string;
  /**
   * The desired load balancer; absent when no member could be built. Absent with `excluded`
   * non-empty means "keep what exists" (bad input must not delete); absent with both lists empty
   * means the group is gone.
   */
  readonly stack?: Stack;
  /** Everything worth telling the user, sorted; each names its object and field. */
  readonly diagnostics: readonly Diagnostic[];
  /** Members built into the stack, in precedence order. */
  readonly members: readonly IngressRef[];
  /** Members left out (invalid, conflicting, or dropped to fit ALB quotas); their diagnostics say why. */
  readonly excluded: readonly IngressRef[];
  /** Members being deleted; their finalizers can go once the stack is applied. */
  readonly deleting: readonly IngressRef[];
}

/** Which IngressGroups exist and who their members are (class selection applied). */
export function listGroups(snapshot: ClusterSnapshot, options: TranslateOptions): GroupListing {
  return listGroupsResolved(snapshot, resolveOptions(options));
}

function translateListed(
  snapshot: ClusterSnapshot,
  group: IngressGroup,
  catalog: CertificateCatalog,
  options: TranslateOptions,
  index: SnapshotIndex,
): TranslateResult {
  const built = buildGroup(snapshot, group, catalog, resolveOptions(options), index);
  return {
    groupId: group.id,
    ...(built.stack === undefined ? {} : { stack: built.stack }),
    diagnostics: sortDiagnostics(built.diagnostics),
    members: built.members,
    excluded: built.excluded,
    deleting: group.deleting,
  };
}

/** Translates one IngressGroup. An unknown `groupId` gives an empty result (the group is gone). */
export function translateGroup(
  snapshot: ClusterSnapshot,
  groupId: string,
  catalog: CertificateCatalog,
  options: TranslateOptions,
): TranslateResult {
  const group = listGroups(snapshot, options).groups.find((g) => g.id === groupId);
  if (group === undefined) return { groupId, diagnostics: [], members: [], excluded: [], deleting: [] };
  return translateListed(snapshot, group, catalog, options, indexSnapshot(snapshot));
}

/** Translates every group; `diagnostics` holds the problems of Ingresses in no group (missing class). */
export function translateAll(
  snapshot: ClusterSnapshot,
  catalog: CertificateCatalog,
  options: TranslateOptions,
): { readonly results: readonly TranslateResult[]; readonly diagnostics: readonly Diagnostic[] } {
  const listing = listGroups(snapshot, options);
  const index = indexSnapshot(snapshot);
  return {
    results: listing.groups.map((g) => translateListed(snapshot, g, catalog, options, index)),
    diagnostics: sortDiagnostics(listing.diagnostics),
  };
}
