import { diagnostic } from '../model/diagnostic.ts';
import type { Diagnostic, Severity } from '../model/diagnostic.ts';
import type { Stack, TargetGroupSpec } from '../model/stack.ts';
import type { ResolvedRenderOptions } from './render-options.ts';

/** What every render step of one Stack shares: the stack, the options and a diagnostics sink. */
export interface RenderContext {
  readonly stack: Stack;
  readonly options: ResolvedRenderOptions;
  readonly targetGroups: ReadonlyMap<string, TargetGroupSpec>;
  readonly diagnostics: Diagnostic[];
}

export function renderContext(stack: Stack, options: ResolvedRenderOptions): RenderContext {
  return { stack, options, targetGroups: new Map(stack.targetGroups.map((tg) => [tg.id, tg])), diagnostics: [] };
}

/** Records a problem with the stack at `field` (render never throws on bad input). */
export function report(
  ctx: RenderContext,
  code: string,
  field: string,
  message: string,
  severity: Severity = 'Error',
): void {
  ctx.diagnostics.push(diagnostic(code, { kind: 'IngressGroup', name: ctx.stack.id }, field, message, severity));
}

/** The value of a sorted attribute list, or undefined. */
export function attribute(
  attributes: readonly { readonly key: string; readonly value: string }[],
  key: string,
): string | undefined {
  return attributes.find((a) => a.key === key)?.value;
}

/** A whole-number attribute in [min, max], else `fallback` (with a diagnostic when present but bad). */
export function intAttribute(
  ctx: RenderContext,
  attributes: readonly { readonly key: string; readonly value: string }[],
  key: string,
  field: string,
  range: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  const text = attribute(attributes, key);
  if (text === undefined) return range.fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < range.min || n > range.max) {
    report(
      ctx,
      'InvalidAttribute',
      `${field}[${key}]`,
      `must be a whole number ${range.min}-${range.max}, got ${JSON.stringify(text)}`,
    );
    return range.fallback;
  }
  return n;
}

/** Duration in proto3 JSON form. */
export function seconds(n: number): string {
  return `${n}s`;
}
