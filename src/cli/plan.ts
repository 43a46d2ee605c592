import type { Command } from './command.ts';
import { UsageError } from './command.ts';
import { snapshotFromManifests } from '../k8s/manifests.ts';
import { translateAll } from '../ingress/translate.ts';
import type { CertificateCatalog, ClusterSnapshot } from '../ingress/types.ts';
import { formatDiagnostic, hasErrors } from '../model/diagnostic.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Stack } from '../model/stack.ts';
import { emptyActualStack } from '../aws/actual.ts';
import { plan } from '../aws/plan.ts';
import type { Plan } from '../aws/plan.ts';
import type { TlsSecretData } from '../aws/plan-fingerprint.ts';
import { referencedSecrets, secretHash } from '../aws/plan-fingerprint.ts';
import { plannedCalls, reportText, stackReport } from '../aws/plan-report.ts';
import { readManifestFiles } from './manifest-files.ts';

/**
 * `portico plan -f <manifests> [--live] [--output json]`: the stacks the manifests translate to, each
 * listener's priority table, and the exact AWS calls apply would make — without making any write.
 * Offline, the plan is against an empty account (what a first apply does); `--live` reads the
 * account (tagging read, then only what each stack needs) and plans against what is there,
 * including the deletion of stacks no manifest produces any more.
 */

/** TLS data of the Secrets a stack imports, from the manifests. */
function tlsSecrets(snapshot: ClusterSnapshot, stack: Stack): Map<string, TlsSecretData> {
  const out = new Map<string, TlsSecretData>();
  for (const key of referencedSecrets(stack)) {
    const secret = snapshot.secrets.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === key);
    const certificate = secret?.data['tls.crt'];
    const privateKey = secret?.data['tls.key'];
    if (certificate !== undefined && privateKey !== undefined) out.set(key, { certificate, privateKey });
  }
  return out;
}

interface LivePlanner {
  readonly catalog: CertificateCatalog;
  planStack(stackId: string, desired: Stack | undefined, secrets: Map<string, TlsSecretData>): Promise<Plan>;
  /** Stacks the account holds for this cluster. */
  readonly existing: readonly string[];
  close(): void;
}

async function livePlanner(clusterName: string, region: string): Promise<LivePlanner> {
  const { createAwsClients, destroyAwsClients } = await import('../aws/clients.ts');
  const { AwsCaller } = await import('../aws/calls.ts');
  const { AwsProvider } = await import('../aws/provider.ts');
  const { CertificateCatalogReader } = await import('../aws/certificates.ts');
  const clients = createAwsClients({ region });
  const caller = new AwsCaller();
  const provider = new AwsProvider({ clients, caller, clusterName });
  const index = await provider.readIndex();
  const owned = new Set([...index.stacks.values()].flatMap((s) => s.certificates.map((c) => c.arn)));
  const catalog = await new CertificateCatalogReader(caller, clients).read(owned);
  return {
    catalog,
    existing: [...index.stacks.keys()],
    async planStack(stackId, desired, secrets) {
      const r = await provider.reconcile({ stackId, desired, index, secrets, dryRun: true });
      return r.plan;
    },
    close: () => destroyAwsClients(clients),
  };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show the load balancers, priority tables and AWS calls for the Ingresses in manifests',
  options: {
    filename: {
      type: 'string',
      short: 'f',
      multiple: true,
      valueName: 'FILE',
      description: "Manifests (YAML/JSON, '-' = stdin); repeatable",
    },
    live: { type: 'boolean', description: 'Plan against the AWS account (read-only calls) instead of an empty one' },
    output: { type: 'string', default: 'text', valueName: 'text|json', description: 'Output format' },
    'cluster-name': {
      type: 'string',
      default: 'portico',
      valueName: 'NAME',
      description: 'Cluster name (ownership tag, part of every AWS name)',
    },
    'aws-region': {
      type: 'string',
      valueName: 'REGION',
      description: 'AWS region for --live (default: AWS_REGION, else us-east-1)',
    },
  },
  details:
    'With --live the AWS endpoint comes from AWS_ENDPOINT_URL (e.g. the emulator or LocalStack) and credentials from the usual chain.\nDiagnostics go to stderr; the exit status is 1 when any is an error.',
  async run(values) {
    const files = (values['filename'] as string[] | undefined) ?? [];
    if (files.length === 0) throw new UsageError('portico plan: -f/--filename FILE is required');
    const format = String(values['output']);
    if (format !== 'text' && format !== 'json') {
      throw new UsageError(`portico plan: --output must be text or json, got '${format}'`);
    }
    const clusterName = String(values['cluster-name']);
    const region =
      typeof values['aws-region'] === 'string' ? values['aws-region'] : (process.env['AWS_REGION'] ?? 'us-east-1');
    const { snapshot, diagnostics: readProblems } = snapshotFromManifests(
      readManifestFiles('plan', files),
      files.join(','),
    );
    const live = values['live'] === true ? await livePlanner(clusterName, region) : undefined;
    try {
      const translated = translateAll(snapshot, live?.catalog ?? { certificates: [] }, { clusterName });
      const diagnostics: Diagnostic[] = [...readProblems, ...translated.diagnostics];
      const reports = [];
      const produced = new Set<string>();
      for (const r of translated.results) {
        diagnostics.push(...r.diagnostics);
        if (r.stack === undefined) continue;
        produced.add(r.stack.id);
        const secrets = tlsSecrets(snapshot, r.stack);
        const p =
          live !== undefined
            ? await live.planStack(r.stack.id, r.stack, secrets)
            : plan({
                clusterName,
                stackId: r.stack.id,
                desired: r.stack,
                actual: emptyActualStack(r.stack.id),
                network: { vpcId: '' },
                secretHashes: new Map([...secrets].map(([k, v]) => [k, secretHash(v)])),
              });
        reports.push({ report: stackReport(r.stack, p), stack: r.stack });
      }
      const deletions = [];
      for (const stackId of live?.existing ?? []) {
        if (produced.has(stackId) || live === undefined) continue;
        deletions.push({
          stackId,
          calls: plannedCalls((await live.planStack(stackId, undefined, new Map())).operations),
        });
      }
      if (format === 'json') {
        const out = {
          stacks: reports.map(({ report, stack }) => ({ ...report, stack })),
          deletions,
          diagnostics,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(reports.map(({ report }) => reportText(report)).join('\n'));
        for (const d of deletions) {
          process.stdout.write(
            `\nStack ${d.stackId}: no longer produced by any Ingress; deleting it takes ${d.calls.length} call(s):\n`,
          );
          d.calls.forEach((c, i) =>
            process.stdout.write(`  ${String(i + 1).padStart(3)}. ${c.service}:${c.operation} ${c.detail}\n`),
          );
        }
        if (reports.length === 0 && deletions.length === 0)
          process.stdout.write('No IngressGroup produced a load balancer.\n');
      }
      for (const d of diagnostics) console.error(formatDiagnostic(d));
      return hasErrors(diagnostics) ? 1 : 0;
    } finally {
      live?.close();
    }
  },
};
