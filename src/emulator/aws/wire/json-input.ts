import { ApiError } from './api-error.ts';

/**
 * Reader for awsJson1_1 request bodies (ACM, Resource Groups Tagging API). Type mismatches become
 * the service's `ValidationException` naming the member, never a crash.
 */
export class JsonInput {
  readonly #data: Readonly<Record<string, unknown>>;
  readonly path: string;

  private constructor(data: Readonly<Record<string, unknown>>, path: string) {
    this.#data = data;
    this.path = path;
  }

  /** Parses a JSON body; an empty body means `{}`, anything but an object is rejected. */
  static parse(body: string): JsonInput {
    let data: unknown;
    try {
      data = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'Request body is not valid JSON');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ApiError('SerializationException', 'Request body must be a JSON object');
    }
    return new JsonInput(data as Record<string, unknown>, '');
  }

  #at(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  #get(name: string): unknown {
    return Object.hasOwn(this.#data, name) ? this.#data[name] : undefined;
  }

  #invalid(name: string, expected: string): ApiError {
    return new ApiError('ValidationException', `Value at '${this.#at(name)}' must be ${expected}`);
  }

  string(name: string): string | undefined {
    const v = this.#get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.#invalid(name, 'a string');
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') {
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value null at '${this.#at(name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return v;
  }

  int(name: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const v = this.#get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.#invalid(name, 'an integer');
    if ((bounds.min !== undefined && v < bounds.min) || (bounds.max !== undefined && v > bounds.max)) {
      throw new ApiError(
        'ValidationException',
        `Value '${v}' at '${this.#at(name)}' must be between ${bounds.min ?? '-∞'} and ${bounds.max ?? '∞'}`,
      );
    }
    return v;
  }

  struct(name: string): JsonInput | undefined {
    const v = this.#get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.#invalid(name, 'an object');
    return new JsonInput(v as Record<string, unknown>, this.#at(name));
  }

  list(name: string): JsonInput[] | undefined {
    const v = this.#get(name);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw this.#invalid(name, 'a list');
    return v.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new ApiError('ValidationException', `Value at '${this.#at(name)}.${i + 1}' must be an object`);
      }
      return new JsonInput(item as Record<string, unknown>, `${this.#at(name)}.${i + 1}`);
    });
  }

  stringList(name: string): string[] | undefined {
    const v = this.#get(name);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s: unknown) => typeof s === 'string')) {
      throw this.#invalid(name, 'a list of strings');
    }
    return v as string[];
  }
}
