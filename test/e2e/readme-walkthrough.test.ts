import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { toolPath } from '../../scripts/setup-tools.ts';
import { isStartCommand, shellBlocks } from './support/readme.ts';

/**
 * Runs README.md's "Try it" walk-through verbatim: the `npm start` block becomes a real
 * `portico local --demo` process on the default ports (the walk-through names them), every other
 * ```sh block runs, in order, in one bash with `set -e`, with kubectl 1.35 from `.tools/bin` first on
 * PATH. curl is the system's, wrapped only to record which HTTP status each call received.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEADING = '## Try it';
/** Ports the walk-through needs on 127.0.0.1: the Kubernetes API, the AWS emulator, the demo's NodePort. */
const DEFAULT_PORTS = [6443, 4566, 30080];

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Starts `portico local --demo` as `npm start` does and waits until the demo serves. */
async function startPortico(): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['src/cli/main.ts', 'local', '--demo'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const output = () => `--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-4000)}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`portico local --demo did not get ready in 90 s\n${output()}`)),
      90_000,
    );
    const check = () => {
      if (stdout.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portico local --demo exited early (${String(code)})\n${output()}`));
    });
  });
  return { child, output };
}

/** Stops the process as Ctrl-C would and returns its exit code. */
function interrupt(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGINT');
  });
}

function runBash(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-x', '-c', script], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A `curl` earlier on PATH that runs the real one and appends "<exit code> <last HTTP status>" to a log. */
function curlRecorder(dir: string): { binDir: string; log: string } {
  const realCurl = execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim();
  const binDir = join(dir, 'bin');
  const log = join(dir, 'curl.log');
  execFileSync('mkdir', ['-p', binDir]);
  writeFileSync(
    join(binDir, 'curl'),
    [
      '#!/bin/sh',
      'headers=$(mktemp)',
      `"${realCurl}" --dump-header "$headers" "$@"`,
      'rc=$?',
      `printf '%s %s\\n' "$rc" "$(grep -E '^HTTP/' "$headers" | tail -n 1 | cut -d ' ' -f 2)" >> "${log}"`,
      'rm -f "$headers"',
      'exit $rc',
      '',
    ].join('\n'),
  );
  chmodSync(join(binDir, 'curl'), 0o755);
  writeFileSync(log, '');
  return { binDir, log };
}

describe('README "Try it" walk-through', () => {
  it('reads only the shell blocks of the named section', () => {
    const md = [
      '## Before',
      '```sh',
      'echo no',
      '```',
      '## Try it',
      'text',
      '```sh',
      'npm start',
      '```',
      '### A subsection stays inside',
      '```bash',
      'echo one',
      'echo two',
      '```',
      '```yaml',
      'kind: Ingress',
      '```',
      '## After',
      '```sh',
      'echo no',
      '```',
    ].join('\n');
    assert.deepEqual(shellBlocks(md, '## Try it'), ['npm start', 'echo one\necho two']);
    assert.equal(shellBlocks(md, '## Missing'), undefined);
    assert.deepEqual(
      ['npm start', 'npm ci && npm start   # go', 'npm run setup', 'npm start-ish'].map(isStartCommand),
      [true, true, false, false],
    );
  });

  it('works verbatim against portico local --demo', { timeout: 240_000 }, async (t) => {
    const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'), HEADING);
    if (blocks === undefined) {
      t.skip(`README.md has no "${HEADING}" section yet`);
      return;
    }
    const busy: number[] = [];
    for (const p of DEFAULT_PORTS) if (!(await isFree(p))) busy.push(p);
    if (busy.length > 0) {
      t.skip(
        `the walk-through uses the default ports and ${busy.join(', ')} are busy on 127.0.0.1 (is portico running?)`,
      );
      return;
    }
    const lines = blocks.flatMap((b) => b.split('\n'));
    assert.equal(lines.filter(isStartCommand).length, 1, 'the walk-through starts Portico once, with npm start');
    const script = lines.filter((l) => !isStartCommand(l)).join('\n');
    assert.match(script, /\bcurl\b/, 'the walk-through sends requests');

    const dir = mkdtempSync(join(tmpdir(), 'portico-readme-'));
    const recorder = curlRecorder(dir);
    const { child, output } = await startPortico();
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [recorder.binDir, dirname(toolPath('kubectl')), process.env['PATH'] ?? ''].join(':'),
      };
      // The walk-through sets its own KUBECONFIG; an inherited one must not make it pass by accident.
      delete env['KUBECONFIG'];
      const run = await runBash(script, env);
      const diagnostics = `--- walk-through stdout\n${run.stdout}\n--- walk-through trace\n${run.stderr}\n${output()}`;
      assert.equal(run.code, 0, `the walk-through failed\n${diagnostics}`);
      const calls = readFileSync(recorder.log, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(' '));
      t.diagnostic(`curl calls (exit code, HTTP status): ${calls.map((c) => c.join(' ')).join('; ')}`);
      const curls = script.split('\n').filter((l) => /^\s*(\w+=\$\()?curl\b/.test(l)).length;
      assert.equal(calls.length, curls, `every curl line ran\n${diagnostics}`);
      for (const [rc, status] of calls) {
        assert.equal(rc, '0', `curl exited ${rc}\n${diagnostics}`);
        assert.ok(status !== undefined && /^[1-4]\d\d$/.test(status), `curl got HTTP ${status}\n${diagnostics}`);
      }
      assert.match(run.stdout, /"backend":"shop-/, 'a demo backend answered');
      if (script.includes('examples/hello.yaml')) {
        const example = readFileSync(join(ROOT, 'examples', 'hello.yaml'), 'utf8');
        const body = /"messageBody":\s*"([^"]+)"/.exec(example)?.[1];
        assert.ok(body !== undefined, 'examples/hello.yaml has a fixed response');
        assert.ok(run.stdout.includes(body), `the example Ingress answered '${body}'\n${diagnostics}`);
      }
    } finally {
      const code = await interrupt(child);
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `portico local stops cleanly on Ctrl-C\n${output()}`);
      assert.match(output(), /Stopped\./);
    }
  });
});
