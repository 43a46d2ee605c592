import type { Endpoint } from '../upstream/endpoint.ts';

/**
 * A forwarded request, counted against its endpoint (for least-outstanding balancing) until
 * `done`, with the route's response timer, which the response's arrival or `done` stops.
 */
export class InFlight {
  readonly #endpoint: Endpoint;
  #timer: NodeJS.Timeout | undefined;
  #finished = false;

  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
    endpoint.outstanding++;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** Starts the response timer (`ms` ≤ 0: none); `onTimeout` aborts the exchange. */
  arm(ms: number, onTimeout: () => void): void {
    if (ms > 0) this.#timer = setTimeout(onTimeout, ms);
  }

  /** The response has begun: no response timeout any more. */
  responded(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /** Idempotent. */
  done(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#endpoint.outstanding--;
    this.responded();
  }
}
