// The few resource.Quantity operations Kruise's resource calculator uses (Add, Neg, Cmp, MilliValue,
// SetMilli, NewMilliQuantity), exact like Go's: a value is a signed integer times a power of ten, and
// its format (DecimalSI, BinarySI, DecimalExponent) only decides how it is written.
import { canonicalQuantity, type ParsedQuantity, parseQuantity } from '../quantity.ts';

export interface Quantity {
  /** value * 10^scale */
  readonly value: bigint;
  readonly scale: number;
  readonly format: ParsedQuantity['format'];
  /** The parsed text, when Go keeps it (canonical input). */
  readonly cached?: string;
}

export const ZERO: Quantity = { value: 0n, scale: 0, format: 'DecimalSI' };

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

export function quantityFrom(value: unknown): Quantity | undefined {
  const parsed = parseQuantity(value);
  if (!parsed) return undefined;
  return { value: parsed.negative ? -parsed.magnitude : parsed.magnitude, scale: parsed.exponent, format: parsed.format, cached: parsed.cached };
}

export function quantityString(q: Quantity): string {
  const magnitude = q.value < 0n ? -q.value : q.value;
  return canonicalQuantity({ negative: q.value < 0n, magnitude, exponent: q.scale, format: q.format, cached: q.cached });
}

/** Go's int64(f) for a float64 f: truncation; out of range (and NaN) gives math.MinInt64 on amd64. */
export function goInt64(f: number): bigint {
  if (!Number.isFinite(f)) return MIN_INT64;
  const truncated = BigInt(Math.trunc(f));
  return truncated > MAX_INT64 || truncated < MIN_INT64 ? MIN_INT64 : truncated;
}

export const milliQuantity = (milli: bigint, format: Quantity['format'] = 'DecimalSI'): Quantity => ({ value: milli, scale: -3, format });
export const integerQuantity = (value: bigint): Quantity => ({ value, scale: 0, format: 'DecimalSI' });

function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.value * pow10(a.scale - scale), b.value * pow10(b.scale - scale), scale];
}

/** Quantity.Add: a zero receiver takes the other's format. */
export function add(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = aligned(a, b);
  return { value: x + y, scale, format: a.value === 0n ? b.format : a.format };
}

export const negate = (q: Quantity): Quantity => ({ value: -q.value, scale: q.scale, format: q.format });

export function compare(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Quantity.MilliValue: the value in thousandths, rounded away from zero. */
export function milliValue(q: Quantity): bigint {
  const shift = q.scale + 3;
  if (shift >= 0) return q.value * pow10(shift);
  const divisor = pow10(-shift);
  const quotient = q.value / divisor;
  if (q.value % divisor === 0n) return quotient;
  return q.value > 0n ? quotient + 1n : quotient - 1n;
}

/** Quantity.SetMilli on a copy: keeps the format. */
export const withMilli = (q: Quantity, milli: bigint): Quantity => ({ value: milli, scale: -3, format: q.format });

export const sign = (q: Quantity): number => (q.value === 0n ? 0 : q.value < 0n ? -1 : 1);
