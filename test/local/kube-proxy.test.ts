import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { KubeProxy } from '../../src/local/kube-proxy.ts';
import { startEchoServer } from '../../src/local/echo-server.ts';
import { silentLogger } from '../../src/log.ts';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function backendOf(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
  return ((await res.json()) as { backend: string }).backend;
}

describe('kube-proxy stand-in', () => {
  it('serves a NodePort on the node address, round robin over endpoints, skipping dead ones', async () => {
    const a = await startEchoServer('a');
    const b = await startEchoServer('b');
    const deadPort = await freePort();
    const nodePort = await freePort();
    const proxy = new KubeProxy({ nodeAddress: '127.0.0.1', log: silentLogger() });
    try {
      await proxy.update([
        {
          id: 'default/web:80',
          nodePort,
          endpoints: [
            { ip: '127.0.0.1', port: a.port },
            { ip: '127.0.0.1', port: deadPort },
            { ip: '127.0.0.1', port: b.port },
          ],
        },
      ]);
      const seen = [];
      for (let i = 0; i < 6; i++) seen.push(await backendOf(nodePort));
      assert.deepEqual(new Set(seen), new Set(['a', 'b']));
      assert.ok(seen.filter((s) => s === 'b').length >= 2, `b served too rarely: ${seen.join(',')}`);

      await proxy.update([{ id: 'default/web:80', nodePort, endpoints: [{ ip: '127.0.0.1', port: b.port }] }]);
      assert.equal(await backendOf(nodePort), 'b');

      await proxy.update([]);
      assert.deepEqual(proxy.ports, []);
      await assert.rejects(fetch(`http://127.0.0.1:${nodePort}/`));
    } finally {
      await proxy.close();
      await a.close();
      await b.close();
    }
  });
});
