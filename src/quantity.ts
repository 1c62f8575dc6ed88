// resource.Quantity (k8s.io/apimachinery/pkg/api/resource), reimplemented from its documented
// behaviour: ParseQuantity (what the apiserver accepts), then MarshalJSON, which reuses the input
// text when it is already canonical and otherwise writes the canonical form. Validation and the
// hash both read quantities here, so they accept and refuse the same texts Kubernetes does
// (docs/behaviour/quantities.md).
import { goJsonString } from './go-json.ts';

/** The apiserver's message for a quantity it cannot parse. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// behaviour: ParseQuantity, then MarshalJSON, which reuses the input text when it is already
// canonical and otherwise writes the canonical form.

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface ParsedQuantity {
  negative: boolean;
  /** |value| = magnitude * 10^exponent */
  magnitude: bigint;
  exponent: number;
  format: QuantityFormat;
  /** Text that MarshalJSON writes verbatim (Quantity.s), if any; only the int64 path sets it. */
  cached: string | undefined;
}

const MAX_INT64 = (1n << 63n) - 1n;
const DECIMAL_SUFFIXES = new Map<number, string>([[-9, 'n'], [-6, 'u'], [-3, 'm'], [0, ''], [3, 'k'], [6, 'M'], [9, 'G'], [12, 'T'], [15, 'P'], [18, 'E']]);
const DECIMAL_SUFFIXES_BY_NAME = new Map<string, number>([...DECIMAL_SUFFIXES].map(([e, s]) => [s, e]));
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SUFFIX_CHARS = 'eEinumkKMGTP';

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const decimal = DECIMAL_SUFFIXES_BY_NAME.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES.indexOf(suffix);
  if (binary > 0) return { base: 2, exponent: binary * 10, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // strconv.ParseInt(suffix[1:], 10, 64): optional sign then decimal digits.
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

// parseQuantityString: sign, numerator (leading zeros dropped), optional fraction, suffix.
function scanQuantity(s: string): { positive: boolean; value: string; num: string; denom: string; suffix: string } | undefined {
  let positive = true;
  let pos = 0;
  const end = s.length;
  if (s[0] === '-') {
    positive = false;
    pos++;
  } else if (s[0] === '+') pos++;
  while (pos < end && s[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(s[i])) i++;
  if (i >= end) return { positive, value: s, num: s.slice(pos), denom: '', suffix: '' };
  const num = s.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (s[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(s[i])) i++;
    denom = s.slice(pos, i);
    if (i >= end) return { positive, value: s, num, denom, suffix: '' };
    pos = i;
  }
  const value = s.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(s[pos])) pos++;
  if (pos < end && (s[pos] === '-' || s[pos] === '+')) pos++;
  while (pos < end && isDigit(s[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, value, num, denom, suffix: s.slice(suffixStart) };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

// Longer texts are no real quantity; refusing them bounds the BigInt work on the admission path.
const MAX_QUANTITY_LENGTH = 1024;

function parseQuantityText(s: string): ParsedQuantity | undefined {
  if (s.length === 0 || s.length > MAX_QUANTITY_LENGTH) return undefined;
  if (s === '0') return { negative: false, magnitude: 0n, exponent: 0, format: 'DecimalSI', cached: s };
  const scanned = scanQuantity(s);
  if (scanned === undefined) return undefined;
  const { positive, value, num, denom } = scanned;
  const suffix = interpretSuffix(scanned.suffix);
  if (suffix === undefined) return undefined;
  let { format } = suffix;

  // Fast path (int64Amount): used when the digits surely fit, mirroring the Go precision estimate.
  let precision = 0;
  let scale = 0;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (suffix.exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(suffix.exponent);
      precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = suffix.exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const digits = BigInt(shifted);
      const magnitude = digits * mantissa;
      if (magnitude <= MAX_INT64) {
        const canonical = format === 'BinarySI'
          ? (digits & 7n) !== 0n
          : scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
        return { negative: !positive && magnitude !== 0n, magnitude, exponent: scale, format, cached: canonical ? s : undefined };
      }
    }
  }

  // Slow path (inf.Dec): exact value, rounded up to nano, BinarySI capped at MaxInt64.
  if (!/[0-9]/.test(value)) return undefined;
  let magnitude = BigInt(num + denom);
  let exponent = -denom.length;
  if (suffix.base === 10) exponent += suffix.exponent;
  else magnitude <<= BigInt(suffix.exponent);
  if (magnitude !== 0n && exponent < -9) {
    const shift = -9 - exponent;
    // A shift longer than the digits leaves 0 < x < 1 nano, which rounds up to 1n; skipping the
    // division keeps "1e-2000000000" from building a gigantic power of ten.
    if (shift > num.length + denom.length + 20) magnitude = 1n;
    else {
      const divisor = pow10(shift);
      magnitude = (magnitude + divisor - 1n) / divisor;
    }
    exponent = -9;
  }
  if (format === 'BinarySI') {
    if (exponent >= 0 ? magnitude * pow10(exponent) > MAX_INT64 : magnitude > MAX_INT64 * pow10(-exponent)) {
      magnitude = MAX_INT64;
      exponent = 0;
    }
    if (magnitude !== 0n && exponent < 0 && magnitude < pow10(-exponent)) format = 'DecimalSI';
  }
  return { negative: !positive && magnitude !== 0n, magnitude, exponent, format, cached: undefined };
}

// Quantity.RoundUp(scale): the defaulting webhook rounds limits and requests up to milli.
function roundUp(q: ParsedQuantity, scale: number): ParsedQuantity {
  // Already that coarse: Go leaves the value and any cached text alone.
  if (q.exponent >= scale) return q;
  const divisor = pow10(scale - q.exponent);
  const magnitude = (q.magnitude + divisor - 1n) / divisor;
  return { ...q, magnitude, exponent: scale, cached: undefined };
}

/** The text Quantity.String() and MarshalJSON write. */
export function canonicalQuantity(q: ParsedQuantity): string {
  if (q.cached !== undefined) return q.cached;
  let { magnitude, exponent } = q;
  if (magnitude === 0n) return '0';
  const sign = q.negative ? '-' : '';
  let format = q.format;
  if (format === 'BinarySI') {
    const below1024 = exponent >= 0 ? magnitude * pow10(exponent) < 1024n : magnitude < 1024n * pow10(-exponent);
    let integer: bigint | undefined;
    if (!below1024) {
      if (exponent >= 0) integer = magnitude * pow10(exponent);
      else if (magnitude % pow10(-exponent) === 0n) integer = magnitude / pow10(-exponent);
    }
    if (integer === undefined) format = 'DecimalSI';
    else {
      let times = 0;
      while (integer % 1024n === 0n) {
        integer /= 1024n;
        times++;
      }
      // Go looks the suffix up in a table and writes none when it is missing.
      return `${sign}${integer}${BINARY_SUFFIXES[times] ?? ''}`;
    }
  }
  while (magnitude % 10n === 0n) {
    magnitude /= 10n;
    exponent++;
  }
  const exponent3 = Math.floor(exponent / 3) * 3;
  magnitude *= pow10(exponent - exponent3);
  const suffix = format === 'DecimalExponent'
    ? exponent3 === 0 ? '' : `e${exponent3}`
    : DECIMAL_SUFFIXES.get(exponent3) ?? '';
  return `${sign}${magnitude}${suffix}`;
}

// Go's strings.TrimSpace (Unicode White_Space), which differs from String#trim on U+0085 and U+FEFF.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

function quantityText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.replace(GO_TRIM, '');
  // A JSON number reaches Quantity.UnmarshalJSON as its literal text; its JS rendering is the closest
  // we can get once parsed (1e3 and 1000 are the same JS number).
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * How resource.Quantity re-marshals a JSON value (string or number): e.g. "0.5" -> "500m",
 * "1024Mi" -> "1Gi", "1000m" -> "1", 1.5 -> "1500m". With `roundUpToMilli`, the value is first
 * rounded up to milli scale as the Kubernetes container defaulting does. Returns undefined for
 * null/absent (the zero Quantity is "0") and for values Go would refuse to decode.
 */
export function goQuantityString(value: unknown, roundUpToMilli = false): string | undefined {
  const text = quantityText(value);
  if (text === undefined) return undefined;
  const parsed = parseQuantityText(text);
  if (parsed === undefined) return undefined;
  return canonicalQuantity(roundUpToMilli ? roundUp(parsed, -3) : parsed);
}

// Canonical forms are cached: the same few quantities ("100m", "128Mi") recur across requests.
const quantityCache = new Map<string, string>();
const QUANTITY_CACHE_LIMIT = 4096;

/** The JSON string a Quantity field marshals to; "0" for the zero Quantity. */
export function encodeQuantity(value: unknown): string {
  if (value === null || value === undefined) return '"0"';
  const text = quantityText(value);
  if (text === undefined) return '"0"';
  let json = quantityCache.get(text);
  if (json === undefined) {
    const parsed = parseQuantityText(text);
    // Go would refuse the object; keep the text so the hash still tracks what was written.
    json = parsed === undefined ? goJsonString(text) : `"${canonicalQuantity(parsed)}"`;
    if (quantityCache.size >= QUANTITY_CACHE_LIMIT) quantityCache.clear();
    quantityCache.set(text, json);
  }
  return json;
}

/** A JSON quantity (string or number) as the apiserver decodes it, or undefined when it would refuse it. */
export function parseQuantity(value: unknown): ParsedQuantity | undefined {
  const text = quantityText(value);
  return text === undefined ? undefined : parseQuantityText(text);
}

/** Sign of a - b. */
export function compareQuantities(a: ParsedQuantity, b: ParsedQuantity): number {
  const signed = (q: ParsedQuantity, exponent: number): bigint => (q.negative ? -1n : 1n) * q.magnitude * pow10(q.exponent - exponent);
  const exponent = Math.min(a.exponent, b.exponent);
  const difference = signed(a, exponent) - signed(b, exponent);
  return difference === 0n ? 0 : difference > 0n ? 1 : -1;
}
