/**
 * Generates `manifests/iam/policy.json`, the controller's IAM policy, from the AWS operations the code calls.
 *
 * It parses every TypeScript file under `src/aws` with the TypeScript compiler, finds the `XxxCommand`
 * classes imported from the AWS SDK v3 client packages, and keeps those used as values (`new XxxCommand(…)`,
 * or passed around as a constructor): a type-only mention grants nothing. `src/aws/iam-policy.ts` turns
 * the operations into the policy.
 *
 *   node scripts/generate-iam-policy.ts            # write manifests/iam/policy.json
 *   node scripts/generate-iam-policy.ts --check    # exit 1 if the committed file is stale
 *   node scripts/generate-iam-policy.ts --partition aws-cn --out -   # print a policy for another partition
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';
import { buildIamPolicy, SDK_PACKAGE_SERVICES } from '../src/aws/iam-policy.ts';
import type { CalledOperation, IamPolicyDocument } from '../src/aws/iam-policy.ts';

/** Repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the generated policy is committed. */
export const policyPath = join(repoRoot, 'manifests', 'iam', 'policy.json');

/** One use of an SDK command class in a source file. */
export interface CommandUse {
  readonly file: string;
  readonly action: string;
}

const COMMAND_SUFFIX = 'Command';

function isInTypePosition(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n !== undefined; n = n.parent) {
    if (ts.isTypeNode(n) || ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) return true;
    if (ts.isStatement(n) || ts.isExpression(n)) return false;
  }
  return false;
}

/**
 * The SDK command classes used as values in one source text. Handles named imports (also renamed) and
 * namespace imports; ignores `import type` and type-only specifiers.
 */
export function scanSource(fileName: string, text: string): CommandUse[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const named = new Map<string, string>(); // local name → IAM action
  const namespaces = new Map<string, string>(); // namespace alias → IAM service
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const service = SDK_PACKAGE_SERVICES[statement.moduleSpecifier.text];
    const clause = statement.importClause;
    if (service === undefined || clause === undefined || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings === undefined) continue;
    if (ts.isNamespaceImport(bindings)) {
      namespaces.set(bindings.name.text, service);
      continue;
    }
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (element.isTypeOnly || !imported.endsWith(COMMAND_SUFFIX)) continue;
      named.set(element.name.text, `${service}:${imported.slice(0, -COMMAND_SUFFIX.length)}`);
    }
  }
  const uses: CommandUse[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && named.has(node.text) && !isInTypePosition(node)) {
      const parent = node.parent;
      // `x.CreateRuleCommand` on some other object is not our import.
      const isOtherMember = ts.isPropertyAccessExpression(parent) && parent.name === node;
      const isDeclarationName =
        ts.isImportSpecifier(parent) || (ts.isPropertyAssignment(parent) && parent.name === node);
      const action = named.get(node.text);
      if (!isOtherMember && !isDeclarationName && action !== undefined) uses.push({ file: fileName, action });
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      namespaces.has(node.expression.text) &&
      node.name.text.endsWith(COMMAND_SUFFIX) &&
      !isInTypePosition(node)
    ) {
      uses.push({
        file: fileName,
        action: `${namespaces.get(node.expression.text)}:${node.name.text.slice(0, -COMMAND_SUFFIX.length)}`,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

function listTypeScript(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch (e: unknown) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return [];
    throw e;
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every SDK command used as a value in the `.ts` files under `dir` (paths relative to the repository). */
export function scanDirectory(dir: string): CommandUse[] {
  return listTypeScript(dir).flatMap((file) => scanSource(relative(repoRoot, file), readFileSync(file, 'utf8')));
}

/** Groups uses by action, sorted, with the files that call each. */
export function calledOperations(uses: readonly CommandUse[]): CalledOperation[] {
  const byAction = new Map<string, Set<string>>();
  for (const use of uses) {
    const files = byAction.get(use.action) ?? new Set<string>();
    files.add(use.file);
    byAction.set(use.action, files);
  }
  return [...byAction.keys()].sort().map((action) => ({ action, files: [...(byAction.get(action) ?? [])].sort() }));
}

/** The operations `portico controller` can call: everything under `src/aws`. */
export function scanProvider(): CalledOperation[] {
  return calledOperations(scanDirectory(join(repoRoot, 'src', 'aws')));
}

/** The policy file's exact text: JSON in the repository's Prettier style, so `prettier --check` agrees. */
export async function renderPolicy(policy: IamPolicyDocument): Promise<string> {
  const options = (await resolveConfig(policyPath)) ?? {};
  return format(JSON.stringify(policy), { ...options, parser: 'json' });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      partition: { type: 'string', default: 'aws' },
      out: { type: 'string', default: policyPath },
    },
  });
  const text = await renderPolicy(buildIamPolicy(scanProvider(), { partition: values.partition }));
  if (values.check) {
    const current = readFileSync(policyPath, 'utf8');
    if (current === text) return 0;
    console.error(`${relative(repoRoot, policyPath)} is stale: run node scripts/generate-iam-policy.ts`);
    return 1;
  }
  if (values.out === '-') process.stdout.write(text);
  else writeFileSync(values.out, text);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
