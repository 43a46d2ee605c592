import type { EndpointConfig } from '../config/cluster.ts';

/** One upstream host with its live state: health from EDS and from active checks, in-flight count. */
export class Endpoint {
  readonly address: string;
  readonly port: number;
  /** `address:port` (IPv6 in brackets): identity across updates and the lb_cookie payload. */
  readonly key: string;
  weight: number;
  edsHealth: EndpointConfig['health'];
  healthCheckPort: number;
  /** Active health-check verdict; undefined until the first check (or when no check is configured). */
  checkedHealthy: boolean | undefined;
  outstanding = 0;
  /** Smooth weighted round-robin state. */
  current = 0;

  constructor(c: EndpointConfig) {
    this.address = c.address;
    this.port = c.port;
    this.key = endpointKey(c.address, c.port);
    this.weight = c.weight;
    this.edsHealth = c.health;
    this.healthCheckPort = c.healthCheckPort;
  }

  update(c: EndpointConfig): void {
    this.weight = c.weight;
    this.edsHealth = c.health;
    this.healthCheckPort = c.healthCheckPort;
  }

  /** Draining hosts take no new requests, healthy or not. */
  get draining(): boolean {
    return this.edsHealth === 'DRAINING';
  }

  /**
   * Healthy for load balancing: EDS does not say otherwise and, when actively checked, the last
   * verdict was healthy. A host with checks pending counts as not healthy, as in Envoy.
   */
  healthy(activelyChecked: boolean): boolean {
    if (this.edsHealth === 'UNHEALTHY' || this.edsHealth === 'DRAINING' || this.edsHealth === 'TIMEOUT') return false;
    return !activelyChecked || this.checkedHealthy === true;
  }
}

export function endpointKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
