import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { toolPath } from '../../scripts/setup-tools.ts';

/**
 * The `portico local` command as a process: start-up output, what it seeds (DESIGN.md), a second
 * instance on a busy port failing clearly, and a clean stop on Ctrl-C.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function portico(args: readonly string[]): Running {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'local', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function printed(p: Running, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.stdout().includes(text)) {
    if (p.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no '${text}' from portico local\n${p.stdout()}\n${p.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function kubectl(
  kubeconfig: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(toolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('portico local, the command', { timeout: 120_000 }, () => {
  let dir: string;
  let first: Running;
  let kubePort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-e2e-cli-'));
    first = portico([
      '--kube-port',
      '0',
      '--aws-port',
      '0',
      '--port-offset',
      String(12_000 + (process.pid % 90) * 100),
      '--state-dir',
      join(dir, 'state'),
    ]);
    await printed(first, 'Press Ctrl-C to stop.');
    kubePort = Number(/Kubernetes API\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(first.stdout())?.[1]);
  });
  after(async () => {
    if (first.child.exitCode === null) first.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what runs where and how to point kubectl at it', () => {
    const out = first.stdout();
    assert.ok(kubePort > 0, out);
    assert.match(out, /AWS emulator\s+http:\/\/127\.0\.0\.1:\d+ {3}\(AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+\)/);
    assert.ok(out.includes(`export KUBECONFIG=${join(dir, 'state', 'kubeconfig')}`), out);
  });

  it('seeds the default portico IngressClass, the local node and the namespaces', async () => {
    const kubeconfig = join(dir, 'state', 'kubeconfig');
    const classes = await kubectl(kubeconfig, [
      'get',
      'ingressclass',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.spec.controller} {.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}{"\\n"}{end}',
    ]);
    const nodes = await kubectl(kubeconfig, [
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}',
    ]);
    const namespaces = await kubectl(kubeconfig, ['get', 'namespaces', '-o', 'name']);
    assert.deepEqual(
      [classes.stdout.trim(), nodes.stdout.trim(), namespaces.stdout.trim().split('\n').sort()],
      [
        'portico portico.dev/ingress-controller true',
        'local-node 127.0.0.1',
        ['namespace/default', 'namespace/kube-system'],
      ],
      `${classes.stderr}${nodes.stderr}${namespaces.stderr}`,
    );
  });

  it('refuses to start a second time on a busy Kubernetes API port, with a clear message', async () => {
    const second = portico(['--kube-port', String(kubePort), '--aws-port', '0', '--state-dir', join(dir, 'second')]);
    const code = await second.exited;
    assert.notEqual(code, 0);
    assert.match(
      second.stdout() + second.stderr(),
      new RegExp(
        `port 127\\.0\\.0\\.1:${kubePort} is already in use \\(is another 'portico local' running\\?\\); choose another with --kube-port`,
      ),
    );
  });

  it('stops cleanly on Ctrl-C', async () => {
    first.child.kill('SIGINT');
    assert.equal(await first.exited, 0, first.stderr());
    assert.match(first.stdout(), /SIGINT: stopping…\nStopped\.\n$/);
  });
});
