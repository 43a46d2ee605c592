import { listGroups } from '../ingress/translate.ts';
import type { TranslateOptions } from '../ingress/options.ts';
import { resolveOptions } from '../ingress/options.ts';
import type {
  ClusterSnapshot,
  EndpointSlice,
  Ingress,
  IngressClass,
  IngressClassParams,
  Namespace,
  Node,
  Secret,
  Service,
} from '../ingress/types.ts';
import { emptySnapshot } from '../ingress/types.ts';
import type { Logger } from '../log.ts';
import type { Scheduler } from '../reconcile/scheduler.ts';
import type { KubeApi } from './api.ts';
import { collectionPath } from './api.ts';
import { GroupIndex } from './group-index.ts';
import { KindInformer } from './informers.ts';
import type { KindInformerOptions } from './informers.ts';
import { clientNodeSource } from './list-watch.ts';
import type { ListWatchSource, ReflectorEvent } from './reflector.ts';
import { ingressReferences } from './references.ts';
import { convertSecret } from './convert.ts';
import { LazyResolver, lazyChanged, lazyTransform } from './lazy-cache.ts';
import type { LazyEntry } from './lazy-cache.ts';
import {
  ingressChanged,
  slimChanged,
  slimEndpointSlice,
  slimIngress,
  slimIngressClass,
  slimIngressClassParams,
  slimNamespace,
  slimNode,
  slimService,
} from './slim.ts';

/**
 * The controller's picture of the cluster: supervised informers for every kind translation reads,
 * slimmed by transforms, with indexes that route each event to the IngressGroups it affects.
 * An IngressGroup is reconciled from a snapshot holding only its own members and what they
 * reference, so a reconcile costs the size of its group, not of the cluster.
 */

/** Groups to reconcile after an event; `endpointsOnly` when only targets can have changed. */
export interface ViewChange {
  readonly groups: readonly string[];
  readonly endpointsOnly: boolean;
}

export interface ClusterViewOptions {
  readonly api: KubeApi;
  /** Namespaces to watch for namespaced kinds; empty means all. */
  readonly namespaces: readonly string[];
  readonly translate: TranslateOptions;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly onChange: (change: ViewChange) => void;
  readonly onInformerRestart?: (informer: string, reason: string) => void;
  /** @default 300000 */
  readonly silenceTimeoutMs?: number;
  readonly random?: () => number;
  /** How to list and watch a collection path. @default client-node through `api` */
  readonly source?: (path: string) => ListWatchSource;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const PORTICO_PREFIX = 'portico.dev/';

export class ClusterView {
  readonly #o: ClusterViewOptions;
  readonly #index = new GroupIndex();
  readonly #prefix: string;
  readonly ingresses: KindInformer<Ingress>;
  readonly #classes: KindInformer<IngressClass>;
  readonly #params: KindInformer<IngressClassParams>;
  readonly #namespaces: KindInformer<Namespace>;
  readonly #services: KindInformer<LazyEntry<Service>>;
  readonly #slices: KindInformer<EndpointSlice>;
  readonly #nodes: KindInformer<Node>;
  readonly #secrets: KindInformer<LazyEntry<Secret>>;
  readonly #serviceResolver: LazyResolver<Service>;
  readonly #secretResolver: LazyResolver<Secret>;
  #classCache: Pick<ClusterSnapshot, 'ingressClasses' | 'ingressClassParams' | 'namespaces'> | undefined;
  #live = false;
  #started = false;
  #starting: Promise<void> | undefined;

  constructor(options: ClusterViewOptions) {
    this.#o = options;
    this.#prefix = resolveOptions(options.translate).annotationPrefix;
    const source = options.source ?? ((path: string) => clientNodeSource(options.api, { path }, options.random));
    const common = {
      source,
      scheduler: options.scheduler,
      log: options.log,
      ...(options.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: options.silenceTimeoutMs } : {}),
      ...(options.random !== undefined ? { random: options.random } : {}),
      ...(options.onInformerRestart !== undefined ? { onRestart: options.onInformerRestart } : {}),
    };
    const ns = options.namespaces.length === 0 ? [undefined] : options.namespaces;
    const paths = (apiVersion: string, plural: string) => ns.map((n) => collectionPath(apiVersion, plural, n));
    const informer = <T>(
      o: Omit<KindInformerOptions<T>, keyof typeof common | 'changed'> & Partial<KindInformerOptions<T>>,
    ) => new KindInformer<T>({ ...common, changed: slimChanged as (a: T, b: T) => boolean, ...o });
    const classLike = () => this.#onClassChange();
    this.#classes = informer({
      name: 'ingressclasses',
      paths: [collectionPath('networking.k8s.io/v1', 'ingressclasses')],
      transform: slimIngressClass,
      onEvent: classLike,
    });
    this.#params = informer({
      name: 'ingressclassparams',
      paths: [collectionPath('portico.dev/v1alpha1', 'ingressclassparams')],
      transform: slimIngressClassParams,
      onEvent: classLike,
      optional: true,
    });
    this.#namespaces = informer({
      name: 'namespaces',
      paths: [collectionPath('v1', 'namespaces')],
      transform: slimNamespace,
      onEvent: classLike,
    });
    this.ingresses = informer({
      name: 'ingresses',
      paths: paths('networking.k8s.io/v1', 'ingresses'),
      transform: slimIngress,
      changed: ingressChanged,
      onEvent: (e) => this.#onIngress(e),
    });
    const convertService = slimService([this.#prefix, PORTICO_PREFIX]);
    this.#services = informer<LazyEntry<Service>>({
      name: 'services',
      paths: paths('v1', 'services'),
      transform: lazyTransform((key) => this.#index.isServiceReferenced(key), convertService),
      changed: lazyChanged<Service>(slimChanged),
      onEvent: (e) => this.#emit(this.#index.groupsOfService(e.key), false),
    });
    this.#slices = informer({
      name: 'endpointslices',
      paths: paths('discovery.k8s.io/v1', 'endpointslices'),
      transform: slimEndpointSlice,
      onEvent: (e) => this.#onSlice(e),
    });
    this.#nodes = informer({
      name: 'nodes',
      paths: [collectionPath('v1', 'nodes')],
      transform: slimNode,
      // Nodes only feed instance targets.
      onEvent: () => this.#emit(this.#index.groups(), true),
    });
    const convertSecretValue = (raw: unknown) => convertSecret(raw).value;
    this.#secrets = informer<LazyEntry<Secret>>({
      name: 'secrets',
      paths: paths('v1', 'secrets'),
      transform: lazyTransform((key) => this.#index.isSecretReferenced(key), convertSecretValue),
      // Secrets are compared by resourceVersion only: their data is not worth a deep compare.
      changed: lazyChanged<Secret>(() => true),
      onEvent: (e) => this.#emit(this.#index.groupsOfSecret(e.key), false),
    });
    this.#serviceResolver = new LazyResolver(
      options.api,
      (key) => this.#services.get(key),
      (ns, name) => `/api/v1/namespaces/${ns}/services/${name}`,
      convertService,
    );
    this.#secretResolver = new LazyResolver(
      options.api,
      (key) => this.#secrets.get(key),
      (ns, name) => `/api/v1/namespaces/${ns}/secrets/${name}`,
      convertSecretValue,
    );
  }

  /**
   * Starts watching. Ingresses start once classes are known (their group depends on them), and
   * Services and Secrets once Ingresses are, so referenced ones arrive whole in the first list.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#started = true;
    const first = [this.#classes, this.#params, this.#namespaces, this.#slices, this.#nodes];
    for (const i of first) i.start();
    await Promise.all([this.#classes.waitForSync(), this.#params.waitForSync(), this.#namespaces.waitForSync()]);
    if (!this.#started) return;
    this.ingresses.start();
    await this.ingresses.waitForSync();
    if (!this.#started) return;
    this.#services.start();
    this.#secrets.start();
    await Promise.all(this.#all().map((i) => i.waitForSync()));
    this.#live = true;
  }

  stop(): void {
    this.#started = false;
    this.#live = false;
    for (const i of this.#all()) i.stop();
  }

  /** Whether every informer has completed its first list. */
  get synced(): boolean {
    return this.#all().every((i) => i.synced);
  }

  /** Object counts per informer, for metrics and logs. */
  sizes(): Record<string, number> {
    return Object.fromEntries(this.#all().map((i) => [i.name, i.size]));
  }

  /** Every IngressGroup with at least one member (live or deleting). */
  groups(): string[] {
    return this.#index.groups();
  }

  groupOf(ingressKey: string): string | undefined {
    return this.#index.groupOf(ingressKey);
  }

  /** Ingresses that left `group` for no Portico group and may still carry our finalizer. */
  formerMembers(group: string): Ingress[] {
    return this.#index.formerMembers(group).flatMap((k) => {
      const ing = this.ingresses.get(k);
      if (ing === undefined) this.#index.forgetFormer(k);
      return ing === undefined ? [] : [ing];
    });
  }

  forgetFormerMember(ingressKey: string): void {
    this.#index.forgetFormer(ingressKey);
  }

  /** Node InternalIP by EC2 instance ID (from `spec.providerID`), for data planes that need addresses. */
  instanceAddresses(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.#nodes.values()) {
      const id = /\/(i-[0-9a-zA-Z]+)$/.exec(n.spec.providerID ?? '')?.[1];
      const ip = n.status.addresses.find((a) => a.type === 'InternalIP')?.address;
      if (id !== undefined && ip !== undefined) out[id] = ip;
    }
    return out;
  }

  /** A referenced Secret, fetched on first use. */
  secret(key: string): Promise<Secret | undefined> {
    return this.#secretResolver.get(key);
  }

  /** What translation needs for `group`: its members, what they reference, classes, namespaces and nodes. */
  async snapshotFor(group: string): Promise<ClusterSnapshot> {
    const ingresses = this.#index.members(group).flatMap((k) => {
      const i = this.ingresses.get(k);
      return i === undefined ? [] : [i];
    });
    const serviceKeys = new Set<string>();
    const secretKeys = new Set<string>();
    for (const ing of ingresses) {
      const refs = this.#index.referencesOf(`${ing.metadata.namespace}/${ing.metadata.name}`);
      for (const s of refs?.services ?? []) serviceKeys.add(s);
      for (const s of refs?.secrets ?? []) secretKeys.add(s);
    }
    const services: Service[] = [];
    const endpointSlices: EndpointSlice[] = [];
    for (const key of [...serviceKeys].sort()) {
      const svc = await this.#serviceResolver.get(key);
      if (svc !== undefined) services.push(svc);
      for (const sk of this.#index.slicesOf(key)) {
        const slice = this.#slices.get(sk);
        if (slice !== undefined) endpointSlices.push(slice);
      }
    }
    const secrets = (await Promise.all([...secretKeys].sort().map((k) => this.#secretResolver.get(k)))).filter(
      (s): s is Secret => s !== undefined,
    );
    return {
      ...this.#classSnapshot(),
      ingresses,
      services,
      endpointSlices,
      nodes: [...this.#nodes.values()],
      secrets,
    };
  }

  #all(): KindInformer<unknown>[] {
    return [
      this.#classes,
      this.#params,
      this.#namespaces,
      this.ingresses,
      this.#services,
      this.#slices,
      this.#nodes,
      this.#secrets,
    ] as KindInformer<unknown>[];
  }

  #classSnapshot(): Pick<ClusterSnapshot, 'ingressClasses' | 'ingressClassParams' | 'namespaces'> {
    this.#classCache ??= {
      ingressClasses: [...this.#classes.values()],
      ingressClassParams: [...this.#params.values()],
      namespaces: [...this.#namespaces.values()],
    };
    return this.#classCache;
  }

  #groupFor(ing: Ingress): string | undefined {
    const snapshot: ClusterSnapshot = { ...emptySnapshot(), ...this.#classSnapshot(), ingresses: [ing] };
    return listGroups(snapshot, this.#o.translate).groupOf.get(`${ing.metadata.namespace}/${ing.metadata.name}`);
  }

  #onIngress(e: ReflectorEvent<Ingress>): void {
    if (e.type === 'delete') {
      this.#emit(this.#index.deleteIngress(e.key), false);
      return;
    }
    const refs = ingressReferences(e.object, this.#prefix);
    this.#emit(this.#index.setIngress(e.key, this.#groupFor(e.object), refs), false);
  }

  #onSlice(e: ReflectorEvent<EndpointSlice>): void {
    const ns = e.key.slice(0, e.key.indexOf('/'));
    const svc = e.type === 'delete' ? undefined : e.object.metadata.labels[SERVICE_NAME_LABEL];
    const services = this.#index.setSlice(e.key, svc === undefined ? undefined : `${ns}/${svc}`);
    this.#emit(
      services.flatMap((s) => this.#index.groupsOfService(s)),
      true,
    );
  }

  /** Classes, their parameters and namespace labels decide every Ingress's group: recompute them all. */
  #onClassChange(): void {
    this.#classCache = undefined;
    const affected = new Set<string>(this.#index.groups());
    for (const [key, ing] of this.ingresses.entries()) {
      for (const g of this.#index.setIngress(key, this.#groupFor(ing), ingressReferences(ing, this.#prefix))) {
        affected.add(g);
      }
    }
    this.#emit([...affected], false);
  }

  #emit(groups: readonly string[], endpointsOnly: boolean): void {
    if (!this.#live || groups.length === 0) return;
    this.#o.onChange({ groups: [...new Set(groups)].sort(), endpointsOnly });
  }
}
