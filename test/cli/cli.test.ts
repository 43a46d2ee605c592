import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['src/cli/main.ts', ...args], { encoding: 'utf8', cwd: process.cwd() });

describe('portico CLI', () => {
  it('--help lists the commands that exist', () => {
    const r = run('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: portico <command>/);
    assert.match(r.stdout, /\n {2}version {2}/);
  });

  it('<command> --help shows its options', () => {
    const r = run('version', '--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Usage: portico version/);
    assert.match(r.stdout, /--json/);
  });

  it('an unknown command exits 2 with a one-line reason', () => {
    const r = run('frobnicate');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "portico: unknown command 'frobnicate' (see 'portico --help')\n");
  });

  it('a bad flag exits 2 with a one-line reason', () => {
    const r = run('version', '--nope');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^portico version: Unknown option '--nope'/);
  });

  it('runs on Node.js 24 from the project, whatever the machine has', () => {
    const r = run('version', '--json');
    assert.equal(r.status, 0);
    const info = JSON.parse(r.stdout) as { node: string };
    assert.match(info.node, /^24\./);
  });
});
