/**
 * Partial matching of DOMAIN.md: objects match the keys given, arrays match exactly, and `null`
 * matches a null or absent value.
 */

export interface Mismatch {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Fields, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Exact equality of JSON values (a key holding `undefined` counts as absent, as in JSON). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => jsonEqual(a[key], own(b, key)));
  }
  return a === b;
}

export function partialMatch(expected: unknown, actual: unknown, path = ''): Mismatch[] {
  if (expected === null) return actual === null || actual === undefined ? [] : [{ path, expected, actual }];
  if (Array.isArray(expected)) return jsonEqual(expected, actual) ? [] : [{ path, expected, actual }];
  if (isRecord(expected)) {
    if (!isRecord(actual)) return [{ path, expected, actual }];
    return Object.keys(expected).flatMap((key) =>
      partialMatch(expected[key], own(actual, key), path === '' ? key : `${path}.${key}`),
    );
  }
  return expected === actual ? [] : [{ path, expected, actual }];
}
