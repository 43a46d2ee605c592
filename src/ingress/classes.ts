import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, ObjectRef } from '../model/diagnostic.ts';
import type { ResolvedOptions } from './options.ts';
import type { ClusterSnapshot, Ingress, IngressClass, IngressClassParams, LabelSelector } from './types.ts';

/**
 * IngressClass selection: which Ingresses are Portico's, and with which IngressClassParams.
 * Order, as the AWS Load Balancer Controller: the legacy `kubernetes.io/ingress.class` annotation
 * wins, then `spec.ingressClassName`, then the cluster's default class.
 */

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** API groups whose IngressClassParams Portico reads (its own, and the AWS controller's spelling). */
export const PARAMS_API_GROUPS: readonly string[] = ['portico.dev', 'elbv2.k8s.aws'];

export type ClassSelection =
  /** Not Portico's: another controller's class, or no class and no default. */
  | { readonly kind: 'ignored' }
  /** Names a class that does not exist: reported, and the Ingress gets no load balancer. */
  | { readonly kind: 'missing'; readonly diagnostic: Diagnostic }
  | {
      readonly kind: 'ours';
      readonly className: string;
      readonly params?: IngressClassParams;
      /** Problems that keep this member out of its group's load balancer. */
      readonly problems: readonly Diagnostic[];
    };

function ingressRef(ing: Ingress): ObjectRef {
  return { kind: 'Ingress', namespace: ing.metadata.namespace, name: ing.metadata.name };
}

/** Indexes of the snapshot that class selection needs, built once per snapshot. */
export interface ClassIndex {
  readonly classes: ReadonlyMap<string, IngressClass>;
  readonly params: ReadonlyMap<string, IngressClassParams>;
  readonly defaults: readonly IngressClass[];
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export function indexClasses(snapshot: ClusterSnapshot): ClassIndex {
  const classes = new Map(snapshot.ingressClasses.map((c) => [c.metadata.name, c]));
  const defaults = [...classes.values()]
    .filter((c) => c.metadata.annotations[DEFAULT_CLASS_ANNOTATION] === 'true')
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  return {
    classes,
    params: new Map(snapshot.ingressClassParams.map((p) => [p.metadata.name, p])),
    defaults,
    namespaceLabels: new Map(snapshot.namespaces.map((n) => [n.metadata.name, n.metadata.labels])),
  };
}

function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && (value === undefined || !e.values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && e.values.includes(value)) return false;
  }
  return true;
}

function ours(ing: Ingress, cls: IngressClass, index: ClassIndex, field: string): ClassSelection {
  const problems: Diagnostic[] = [];
  const ref = ingressRef(ing);
  let params: IngressClassParams | undefined;
  const p = cls.spec.parameters;
  if (p !== undefined) {
    if (p.kind !== 'IngressClassParams' || !PARAMS_API_GROUPS.includes(p.apiGroup ?? '')) {
      problems.push(
        diagnostic(
          'InvalidIngressClass',
          ref,
          field,
          `IngressClass ${cls.metadata.name} has parameters of kind ${p.apiGroup ?? ''}/${p.kind}; Portico reads portico.dev/IngressClassParams`,
        ),
      );
    } else {
      params = index.params.get(p.name);
      if (params === undefined) {
        problems.push(
          diagnostic(
            'IngressClassParamsNotFound',
            ref,
            field,
            `IngressClass ${cls.metadata.name} refers to IngressClassParams ${p.name}, which does not exist`,
          ),
        );
      }
    }
  }
  const selector = params?.spec.namespaceSelector;
  if (selector !== undefined) {
    const ns = ing.metadata.namespace;
    const labels = { 'kubernetes.io/metadata.name': ns, ...(index.namespaceLabels.get(ns) ?? {}) };
    if (!selectorMatches(selector, labels)) {
      problems.push(
        diagnostic(
          'NamespaceNotAllowed',
          ref,
          field,
          `namespace ${ns} does not match the namespaceSelector of IngressClassParams ${params?.metadata.name ?? ''}`,
        ),
      );
    }
  }
  return { kind: 'ours', className: cls.metadata.name, params, problems };
}

export function selectClass(ing: Ingress, index: ClassIndex, options: ResolvedOptions): ClassSelection {
  const legacy = ing.metadata.annotations[LEGACY_CLASS_ANNOTATION]?.trim();
  if (legacy !== undefined && legacy !== '') {
    const field = `metadata.annotations[${LEGACY_CLASS_ANNOTATION}]`;
    const cls = index.classes.get(legacy);
    if (cls !== undefined) {
      return cls.spec.controller === options.controllerName ? ours(ing, cls, index, field) : { kind: 'ignored' };
    }
    if (options.legacyClassNames.includes(legacy)) return { kind: 'ours', className: legacy, problems: [] };
    return { kind: 'ignored' };
  }
  const name = ing.spec.ingressClassName;
  if (name !== undefined) {
    const cls = index.classes.get(name);
    if (cls === undefined) {
      return {
        kind: 'missing',
        diagnostic: diagnostic(
          'IngressClassNotFound',
          ingressRef(ing),
          'spec.ingressClassName',
          `IngressClass ${name} does not exist; no load balancer is built for this Ingress`,
        ),
      };
    }
    return cls.spec.controller === options.controllerName
      ? ours(ing, cls, index, 'spec.ingressClassName')
      : { kind: 'ignored' };
  }
  // Kubernetes admission forbids several default classes; if a cluster has them anyway, Portico
  // takes such Ingresses only when its own default class is the first by name, so the choice is stable.
  const def = index.defaults[0];
  if (def === undefined || def.spec.controller !== options.controllerName) return { kind: 'ignored' };
  return ours(ing, def, index, 'spec.ingressClassName');
}
