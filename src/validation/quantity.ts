// Kubernetes resource quantities ("500m", "1Gi", "1e3"): syntax check and a numeric value good enough
// to compare a request with its limit.

const QUANTITY_FORMAT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_FORMAT}'`;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)/;
const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const EXPONENT = /^[eE][-+]?\d+$/;

/** The quantity's value in base units, or undefined when it is not a valid quantity. */
export function parseQuantity(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) ? quantity : undefined;
  const number = NUMBER.exec(quantity);
  if (!number) return undefined;
  const magnitude = Number(number[0]);
  const suffix = quantity.slice(number[0].length);
  if (suffix in BINARY_SUFFIXES) return magnitude * BINARY_SUFFIXES[suffix];
  if (suffix in DECIMAL_SUFFIXES) return magnitude * DECIMAL_SUFFIXES[suffix];
  if (EXPONENT.test(suffix)) return magnitude * 10 ** Number(suffix.slice(1));
  return undefined;
}
