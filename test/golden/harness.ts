/**
 * Golden cases: `test/golden/<case-as-a-sentence>/ingress.yaml` → `stack.json`. Each case runs
 * against `_cluster.yaml` unless its first line is `# standalone`. Test-only kinds in the YAML:
 * `AcmCertificate` (catalog entries) and `PorticoOptions` (translate options for the case).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { snapshotFromManifests } from '../../src/k8s/manifests.ts';
import { translateAll } from '../../src/ingress/translate.ts';
import type { TranslateOptions } from '../../src/ingress/options.ts';
import type { AcmCertificate, CertificateCatalog } from '../../src/ingress/types.ts';
import { canonicalJson } from '../../src/model/canonical.ts';

export const GOLDEN_DIR = new URL('.', import.meta.url).pathname;

/** The fixed options of every case: a VPC of 10.0.0.0/16 and a fixed "now" (2026-11-01). */
export const BASE_OPTIONS: TranslateOptions = {
  clusterName: 'golden',
  vpcCidrs: ['10.0.0.0/16'],
  now: Date.parse('2026-11-01T00:00:00Z'),
};

export function caseText(name: string): string {
  const own = readFileSync(join(GOLDEN_DIR, name, 'ingress.yaml'), 'utf8');
  if (own.startsWith('# standalone')) return own;
  return `${readFileSync(join(GOLDEN_DIR, '_cluster.yaml'), 'utf8')}\n---\n${own}`;
}

function testKinds(text: string): { catalog: CertificateCatalog; options: TranslateOptions } {
  const certificates: AcmCertificate[] = [];
  let options: TranslateOptions = BASE_OPTIONS;
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) continue;
    const v: unknown = doc.toJS();
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    if (o['kind'] === 'AcmCertificate')
      certificates.push({ subjectAlternativeNames: [], ...o } as unknown as AcmCertificate);
    if (o['kind'] === 'PorticoOptions') options = { ...BASE_OPTIONS, ...(o['options'] as Partial<TranslateOptions>) };
  }
  return { catalog: { certificates }, options };
}

/** Everything a case produces: conversion diagnostics, group-less diagnostics, and one result per group. */
export function runCase(name: string, overrides: Partial<TranslateOptions> = {}): unknown {
  const text = caseText(name);
  const { snapshot, diagnostics: conversion } = snapshotFromManifests(text, 'ingress.yaml');
  const { catalog, options } = testKinds(text);
  const all = translateAll(snapshot, catalog, { ...options, ...overrides });
  return { conversion, unassigned: all.diagnostics, groups: all.results };
}

export function render(value: unknown): string {
  return `${canonicalJson(value, 2)}\n`;
}
