import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { listener, request, startEcho, staticCluster } from './support.ts';
import type { Echo } from './support.ts';

/** `portico proxy -c` as a user runs it: multi-process mode, graceful stop, a bad bootstrap. */

const MAIN = path.resolve(import.meta.dirname, '../../src/cli/main.ts');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('portico proxy (CLI)', () => {
  let dir: string;
  let up: Echo;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portico-proxy-cli-'));
    up = await startEcho('up');
  });
  after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves with two worker processes sharing the port and stops gracefully', async () => {
    const port = await freePort();
    const l = listener('l', [{ match: { prefix: '/' }, route: { cluster: 'up' } }]);
    const file = path.join(dir, 'bootstrap.json');
    writeFileSync(
      file,
      JSON.stringify({
        static_resources: {
          clusters: [staticCluster('up', [up.port])],
          listeners: [{ ...l, address: { socket_address: { address: '127.0.0.1', port_value: port } } }],
        },
      }),
    );
    const child = spawn(process.execPath, [MAIN, 'proxy', '-c', file, '--workers', '2'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Both workers log "proxy started" once their listeners are bound.
      const deadline = Date.now() + 30_000;
      while ((stderr.match(/"msg":"proxy started"/g) ?? []).length < 2) {
        if (Date.now() > deadline) throw new Error(`workers did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const workers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      assert.equal(workers.length, 2);
      const pids = new Set((stderr.match(/"pid":(\d+),"listeners"/g) ?? []).map((m) => m));
      assert.equal(pids.size, 2, 'two distinct worker processes bound the listener');
      for (let i = 0; i < 20; i++) assert.equal((await request(port, `/r${i}`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    // A primary that never exits must fail this test, not hang the suite.
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 15_000))),
    ]);
    clearTimeout(timer);
    if (code === 'timeout') {
      child.kill('SIGKILL');
      // Workers outlive a killed primary: find them by their bootstrap file (pgrep exits 1 when none is left).
      const left = spawnSync('pgrep', ['-f', file], { encoding: 'utf8' }).stdout.trim();
      for (const pid of left.split('\n')) if (pid !== '') process.kill(Number(pid), 'SIGKILL');
    }
    assert.equal(code, 0, 'the proxy exits 0 within 15 s of SIGTERM');
  });

  it('refuses a bad bootstrap naming the resource and field', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'static_resources:\n  clusters:\n  - name: up\n    lb_policy: MAGLEV\n');
    const result = await promisify(execFile)(process.execPath, [MAIN, 'proxy', '-c', file]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cluster "up": lb_policy: MAGLEV is not supported/);
  });
});
