/**
 * Bad input is data: translation and validation return Diagnostics instead of throwing. Each one
 * names the object and the field it is about, so it can become a Kubernetes Event and a status
 * condition on that object.
 */
export type Severity = 'Error' | 'Warning';

/** The Kubernetes object (or group) a diagnostic is about. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Diagnostic {
  /** Stable PascalCase reason, used as the Event reason, e.g. `InvalidAnnotation`. */
  readonly code: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  /** Path to the offending field, e.g. `metadata.annotations[alb.ingress.kubernetes.io/scheme]`. */
  readonly field: string;
  readonly message: string;
}

export function diagnostic(
  code: string,
  object: ObjectRef,
  field: string,
  message: string,
  severity: Severity = 'Error',
): Diagnostic {
  return { code, severity, object, field, message };
}

export function formatObjectRef(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity} ${d.code}: ${formatObjectRef(d.object)}: ${d.field}: ${d.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'Error');
}

/** Sorts diagnostics into a stable order so outputs are deterministic. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.object.kind, d.object.namespace ?? '', d.object.name, d.field, d.code, d.message].join('\u0000');
  return [...diagnostics].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
