/**
 * Memory of the controller's caches with a large cluster, and whether unrelated objects raise it.
 *
 *   node bench/controller-memory/run.ts            # 10,000 Ingresses, 100,000 endpoints
 *   BENCH_INGRESSES=1000 node bench/controller-memory/run.ts
 *   BENCH_MODE=controller BENCH_GROUP_SIZE=100 node bench/controller-memory/run.ts
 *       # the whole controller and the AWS emulator: 10,000 Ingresses in 100 groups (100 ALBs)
 *   CONTROLLER_FLAGS= node bench/controller-memory/run.ts   # Node's default flags instead of the image's
 *
 * The API server and the controller run in separate processes, so the RSS reported is the
 * controller's alone (it is started with --expose-gc and collects before each measurement).
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONTROLLER_ENV, CONTROLLER_NODE_FLAGS } from '../../src/cli/node-flags.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

function lines(child: { readonly stdout: Readable }): AsyncIterator<string> {
  return createInterface({ input: child.stdout })[Symbol.asyncIterator]();
}

async function next(it: AsyncIterator<string>): Promise<string> {
  const r = await it.next();
  if (r.done === true) throw new Error('child ended early');
  return r.value;
}

const t0 = performance.now();
const api = spawn(process.execPath, ['--max-old-space-size=4096', `${here}api-server.ts`], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const apiOut = lines(api);
const { url, kubeconfig } = JSON.parse(await next(apiOut)) as { url: string; kubeconfig: string };
console.log(`API server ${url} seeded in ${Math.round(performance.now() - t0)} ms`);
let awsArgs: string[] = [];
let aws: ReturnType<typeof spawn> | undefined;
if (process.env['BENCH_MODE'] === 'controller') {
  aws = spawn(
    process.execPath,
    [...(process.env['EMULATOR_FLAGS'] ?? '').split(' ').filter((f) => f !== ''), `${here}aws-emulator.ts`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const awsOut = lines(aws as unknown as { readonly stdout: Readable });
  awsArgs = [(JSON.parse(await next(awsOut)) as { url: string }).url];
}
// Node flags for the controller process. Unset: the image's flags and MALLOC_ARENA_MAX (src/cli/node-flags.ts);
// CONTROLLER_FLAGS='' runs it with Node's defaults; any other value replaces the flags.
const imageSettings = process.env['CONTROLLER_FLAGS'] === undefined;
const flags = imageSettings
  ? [...CONTROLLER_NODE_FLAGS]
  : (process.env['CONTROLLER_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
const ctl = spawn(process.execPath, ['--expose-gc', ...flags, `${here}controller-side.ts`, kubeconfig, ...awsArgs], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: imageSettings ? { ...CONTROLLER_ENV, ...process.env } : process.env,
});
const ctlOut = lines(ctl);
for (let i = 0; i < 3; i++) console.log(await next(ctlOut));
api.stdin.write('unrelated\n');
await next(apiOut);
const unrelated = Number(process.env['BENCH_UNRELATED'] ?? 10_000);
const ingresses = Number(process.env['BENCH_INGRESSES'] ?? 10_000);
ctl.stdin.write(`measure ${ingresses + unrelated} ${unrelated}\n`);
console.log(await next(ctlOut));
ctl.stdin.end();
api.stdin.end();
aws?.stdin?.end();
