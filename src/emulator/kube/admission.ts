import type { JsonObject } from './json.ts';
import { objectAt, stringAt } from './json.ts';
import { legacyClassAnnotation } from './validate-ingress.ts';

/** The annotation that marks an IngressClass as the cluster default. */
export const defaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';

/**
 * The DefaultIngressClass admission plugin: an Ingress created without a class (neither
 * `spec.ingressClassName` nor the legacy annotation) gets the default class. With several
 * defaults, the most recently created wins (ties broken by name), as current Kubernetes does.
 */
export function admitIngressClass(ingress: JsonObject, classes: readonly JsonObject[]): void {
  const spec = objectAt(ingress, 'spec');
  const annotations = objectAt(objectAt(ingress, 'metadata'), 'annotations');
  if (spec['ingressClassName'] !== undefined && spec['ingressClassName'] !== null) return;
  if (annotations[legacyClassAnnotation] !== undefined) return;
  const defaults = classes.filter(
    (c) => objectAt(objectAt(c, 'metadata'), 'annotations')[defaultClassAnnotation] === 'true',
  );
  if (defaults.length === 0) return;
  const created = (c: JsonObject) => stringAt(objectAt(c, 'metadata'), 'creationTimestamp') ?? '';
  const name = (c: JsonObject) => stringAt(objectAt(c, 'metadata'), 'name') ?? '';
  const chosen = [...defaults].sort(
    (a, b) => created(b).localeCompare(created(a)) || name(a).localeCompare(name(b)),
  )[0];
  if (chosen === undefined) return;
  spec['ingressClassName'] = name(chosen);
  ingress['spec'] = spec;
}
