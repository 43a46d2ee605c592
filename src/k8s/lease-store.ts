import { isConflict, isNotFound, KubeApiError } from './api.ts';
import type { KubeApi } from './api.ts';
import { LeaseConflict } from './leader.ts';
import type { LeaseRecord, LeaseStore } from './leader.ts';

/**
 * A coordination.k8s.io/v1 Lease as the LeaderElector's store. `create` races are settled by the
 * server's 409 AlreadyExists, `replace` races by its resourceVersion check (409 Conflict); both
 * become `LeaseConflict`, which the elector treats as "someone else got there first".
 */

interface RawLease {
  readonly metadata?: { readonly resourceVersion?: string; readonly [k: string]: unknown };
  readonly spec?: {
    readonly holderIdentity?: string | null;
    readonly leaseDurationSeconds?: number | null;
    readonly acquireTime?: string | null;
    readonly renewTime?: string | null;
    readonly leaseTransitions?: number | null;
  };
}

function toRecord(raw: RawLease): LeaseRecord {
  const s = raw.spec ?? {};
  return {
    ...(typeof s.holderIdentity === 'string' ? { holderIdentity: s.holderIdentity } : {}),
    ...(typeof s.leaseDurationSeconds === 'number' ? { leaseDurationSeconds: s.leaseDurationSeconds } : {}),
    ...(typeof s.acquireTime === 'string' ? { acquireTime: s.acquireTime } : {}),
    ...(typeof s.renewTime === 'string' ? { renewTime: s.renewTime } : {}),
    ...(typeof s.leaseTransitions === 'number' ? { leaseTransitions: s.leaseTransitions } : {}),
    ...(typeof raw.metadata?.resourceVersion === 'string' ? { resourceVersion: raw.metadata.resourceVersion } : {}),
  };
}

function toSpec(r: LeaseRecord): Record<string, unknown> {
  return {
    holderIdentity: r.holderIdentity ?? null,
    leaseDurationSeconds: r.leaseDurationSeconds ?? null,
    acquireTime: r.acquireTime ?? null,
    renewTime: r.renewTime ?? null,
    leaseTransitions: r.leaseTransitions ?? 0,
  };
}

/** The Lease `namespace/name` through `api`. */
export function kubeLeaseStore(api: KubeApi, namespace: string, name: string): LeaseStore {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
  const item = `${collection}/${name}`;
  const conflictOr = (e: unknown): never => {
    if (isConflict(e) || (e instanceof KubeApiError && e.reason === 'AlreadyExists')) {
      throw new LeaseConflict(e instanceof Error ? e.message : String(e));
    }
    throw e;
  };
  return {
    async get() {
      try {
        return toRecord(await api.get<RawLease>(item));
      } catch (e: unknown) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async create(record) {
      const body = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: toSpec(record),
      };
      try {
        return toRecord(await api.create<RawLease>(collection, body));
      } catch (e: unknown) {
        return conflictOr(e);
      }
    },
    async replace(record) {
      const body = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        // The resourceVersion makes this a compare-and-swap: a stale write gets 409.
        metadata: { name, namespace, resourceVersion: record.resourceVersion },
        spec: toSpec(record),
      };
      try {
        return toRecord(await api.replace<RawLease>(item, body));
      } catch (e: unknown) {
        return conflictOr(e);
      }
    },
  };
}
