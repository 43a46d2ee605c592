import { createHash } from 'node:crypto';

/**
 * One loopback address per load balancer, from 127.0.1.0/24 (DESIGN.md, `portico local`). The
 * address is derived from the load balancer's name, so it stays the same across restarts unless two
 * names collide, in which case the later one probes to the next free address.
 */
export class LoopbackAddresses {
  readonly #byName = new Map<string, string>();
  readonly #taken = new Set<string>();

  /** The address of `name`, assigned on first use. Throws when all 254 addresses are in use. */
  addressFor(name: string): string {
    const known = this.#byName.get(name);
    if (known !== undefined) return known;
    const start = createHash('sha256').update(name).digest().readUInt32BE(0) % 254;
    for (let i = 0; i < 254; i++) {
      const address = `127.0.1.${((start + i) % 254) + 1}`;
      if (this.#taken.has(address)) continue;
      this.#taken.add(address);
      this.#byName.set(name, address);
      return address;
    }
    throw new Error('portico local: all 254 load-balancer addresses in 127.0.1.0/24 are in use');
  }

  /** Frees the address of a load balancer that no longer exists. */
  release(name: string): void {
    const address = this.#byName.get(name);
    if (address === undefined) return;
    this.#byName.delete(name);
    this.#taken.delete(address);
  }

  /** Names currently holding an address. */
  names(): string[] {
    return [...this.#byName.keys()];
  }
}
