// The SidecarSet revision hash, byte-compatible with OpenKruise (spec Part B §5.1).
//
// Kruise hashes `json.Marshal(map{"containers": spec.Containers[, "initContainers": ...]})` of its Go
// structs, so two things have to match Go exactly: which JSON a decoded SidecarContainer turns back
// into (field order, omitempty, resource.Quantity canonical strings, IntOrString) and how
// encoding/json writes strings. Field order and omitempty come from src/api/generated/go-json-layout.json,
// which scripts/generate-go-json-layout.ts derives from k8s.io/api by reflection; the Kruise-only
// fields are added below. The input is the JSON-decoded object we received, so "decoding" here means
// reading it the way Go's decoder would fill the struct: unknown keys are dropped, null and
// mistyped values become the zero value instead of an error (validation rejects those earlier).
import { hash as digest } from 'node:crypto';
import layoutDocument from './api/generated/go-json-layout.json' with { type: 'json' };
import type { SidecarSetSpec } from './api/sidecarset.ts';
import { compareGoStrings } from './go-order.ts';
import { isJsonObject } from './json-object.ts';

// ---------------------------------------------------------------------------------------------
// Layout model

type Kind = 'string' | 'bool' | 'int' | 'uint' | 'float' | 'ptr' | 'slice' | 'map' | 'struct' | 'quantity' | 'intorstring';

interface TypeRef {
  kind: Kind;
  bits?: number;
  type?: string;
  key?: TypeRef;
  elem?: TypeRef;
}

interface FieldLayout extends TypeRef {
  name: string;
  omitempty: boolean;
}

interface GoJsonLayout {
  source: string;
  root: string;
  types: Record<string, FieldLayout[]>;
}

const layout = layoutDocument as unknown as GoJsonLayout;

const str = (name: string, omitempty = true): FieldLayout => ({ name, omitempty, kind: 'string' });
const ptrTo = (name: string, type: string): FieldLayout => ({ name, omitempty: true, kind: 'ptr', elem: { kind: 'struct', type } });

// OpenKruise's SidecarContainer: corev1.Container inlined, then these fields (apps.kruise.io
// v1alpha1/v1beta1 sidecarset_types.go). A struct-valued field is emitted even with omitempty.
const KRUISE_EXTRA_FIELDS: FieldLayout[] = [
  str('podInjectPolicy'),
  { name: 'upgradeStrategy', omitempty: true, kind: 'struct', type: 'kruise.SidecarContainerUpgradeStrategy' },
  { name: 'shareVolumePolicy', omitempty: true, kind: 'struct', type: 'kruise.ShareVolumePolicy' },
  ptrTo('shareVolumeDevicePolicy', 'kruise.ShareVolumePolicy'),
  { name: 'transferEnv', omitempty: true, kind: 'slice', elem: { kind: 'struct', type: 'kruise.TransferEnvVar' } },
  ptrTo('resourcesPolicy', 'kruise.ResourcesPolicy'),
];

const SIDECAR_CONTAINER = 'kruise.SidecarContainer';

function kruiseTypes(container: FieldLayout[]): Record<string, FieldLayout[]> {
  const extraNames = new Set(KRUISE_EXTRA_FIELDS.map((f) => f.name));
  return {
    // encoding/json lets the shallower field win a name clash, so an inlined Container field
    // that a future k8s release might name like a Kruise field would be hidden, not duplicated.
    [SIDECAR_CONTAINER]: [...container.filter((f) => !extraNames.has(f.name)), ...KRUISE_EXTRA_FIELDS],
    'kruise.SidecarContainerUpgradeStrategy': [str('upgradeType'), str('hotUpgradeEmptyImage')],
    'kruise.ShareVolumePolicy': [str('type')],
    'kruise.TransferEnvVar': [
      str('sourceContainerName'),
      ptrTo('sourceContainerNameFrom', 'kruise.SourceContainerNameSource'),
      str('envName'),
      { name: 'envNames', omitempty: true, kind: 'slice', elem: { kind: 'string' } },
    ],
    'kruise.SourceContainerNameSource': [ptrTo('fieldRef', 'v1.ObjectFieldSelector')],
    'kruise.ResourcesPolicy': [
      str('targetContainersMode', false),
      str('targetContainersNameRegex'),
      { name: 'resourcesExpr', omitempty: false, kind: 'struct', type: 'kruise.ResourceExpr' },
    ],
    'kruise.ResourceExpr': [ptrTo('limits', 'kruise.ResourceExprValues'), ptrTo('requests', 'kruise.ResourceExprValues')],
    'kruise.ResourceExprValues': [str('cpu'), str('memory')],
  };
}

const TYPES: Record<string, FieldLayout[]> = { ...layout.types, ...kruiseTypes(layout.types[layout.root]) };

// ---------------------------------------------------------------------------------------------
// Go string encoding (encoding/json appendString with HTML escaping, Go >= 1.22)

const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029]/;
const HEX = '0123456789abcdef';

/** A JSON string literal exactly as Go's json.Marshal writes it. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string;
    if (c < 0x20) {
      switch (c) {
        case 0x08: escaped = '\\b'; break;
        case 0x0c: escaped = '\\f'; break;
        case 0x0a: escaped = '\\n'; break;
        case 0x0d: escaped = '\\r'; break;
        case 0x09: escaped = '\\t'; break;
        default: escaped = `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      }
    } else if (c === 0x22) escaped = '\\"';
    else if (c === 0x5c) escaped = '\\\\';
    else if (c === 0x3c) escaped = '\\u003c';
    else if (c === 0x3e) escaped = '\\u003e';
    else if (c === 0x26) escaped = '\\u0026';
    else if (c === 0x2028) escaped = '\\u2028';
    else if (c === 0x2029) escaped = '\\u2029';
    else continue;
    out += s.slice(start, i) + escaped;
    start = i + 1;
  }
  // Lone surrogates stay as they are: UTF-8 encoding for the hash turns them into U+FFFD, which is
  // what Go holds after decoding an unpaired \ud800 escape.
  return `${out}${s.slice(start)}"`;
}

// ---------------------------------------------------------------------------------------------
// Numbers

// A JSON integer as Go writes an intN/uintN field. Non-integers would fail Go's decoder; they read
// as the zero value here.
function goInteger(v: unknown): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) return '0';
  return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
}

function isZeroInteger(v: unknown): boolean {
  return typeof v !== 'number' || !Number.isInteger(v) || v === 0;
}

// float64: Go uses the shortest round-trip digits with exponent form below 1e-6 and from 1e21 on,
// which is also what Number#toString does (Go then trims "e-07" to "e-7", matching JS again).
function goFloat64(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '0';
  return String(v === 0 ? 0 : v);
}

// ---------------------------------------------------------------------------------------------
// resource.Quantity (k8s.io/apimachinery/pkg/api/resource), reimplemented from its documented
// behaviour: ParseQuantity, then MarshalJSON, which reuses the input text when it is already
// canonical and otherwise writes the canonical form.

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface ParsedQuantity {
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

function parseQuantity(s: string): ParsedQuantity | undefined {
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

function canonicalQuantity(q: ParsedQuantity): string {
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
  const parsed = parseQuantity(text);
  if (parsed === undefined) return undefined;
  return canonicalQuantity(roundUpToMilli ? roundUp(parsed, -3) : parsed);
}

// Canonical forms are cached: the same few quantities ("100m", "128Mi") recur across requests.
const quantityCache = new Map<string, string>();
const QUANTITY_CACHE_LIMIT = 4096;

function encodeQuantity(value: unknown): string {
  if (value === null || value === undefined) return '"0"';
  const text = quantityText(value);
  if (text === undefined) return '"0"';
  let json = quantityCache.get(text);
  if (json === undefined) {
    const parsed = parseQuantity(text);
    // Go would refuse the object; keep the text so the hash still tracks what was written.
    json = parsed === undefined ? goJsonString(text) : `"${canonicalQuantity(parsed)}"`;
    if (quantityCache.size >= QUANTITY_CACHE_LIMIT) quantityCache.clear();
    quantityCache.set(text, json);
  }
  return json;
}

// ---------------------------------------------------------------------------------------------
// Encoders compiled once per layout type

/** JSON text of a value that is present (not dropped by omitempty). */
type Encoder = (value: unknown) => string;
/** Whether omitempty drops the value; null for kinds it never drops (struct values). */
type EmptyTest = ((value: unknown) => boolean) | null;

interface CompiledField {
  name: string;
  /** `"name":` */
  key: string;
  encode: Encoder;
  isEmpty: EmptyTest;
}

function hasOwnKeys(v: Record<string, unknown>): boolean {
  for (const key in v) if (Object.hasOwn(v, key)) return true;
  return false;
}

const encodeString: Encoder = (v) => (typeof v === 'string' ? goJsonString(v) : '""');
const encodeBool: Encoder = (v) => (v === true ? 'true' : 'false');
// IntOrString: a JSON string stays a string, anything else is read as int32.
const encodeIntOrString: Encoder = (v) => (typeof v === 'string' ? goJsonString(v) : goInteger(v));

function emptyTest(ref: TypeRef): EmptyTest {
  switch (ref.kind) {
    case 'string': return (v) => typeof v !== 'string' || v.length === 0;
    case 'bool': return (v) => v !== true;
    case 'int':
    case 'uint': return isZeroInteger;
    case 'float': return (v) => typeof v !== 'number' || !Number.isFinite(v) || v === 0;
    case 'ptr': return (v) => v === null || v === undefined;
    case 'slice': return (v) => !Array.isArray(v) || v.length === 0;
    case 'map': return (v) => !isJsonObject(v) || !hasOwnKeys(v);
    case 'struct':
    case 'quantity':
    case 'intorstring': return null;
  }
}

/** A Go slice: null when absent, else its elements in order. */
function sliceEncoder(elem: Encoder): Encoder {
  return (v) => {
    if (!Array.isArray(v)) return 'null';
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + elem(v[i]);
    return `${out}]`;
  };
}

class LayoutCompiler {
  readonly types: Record<string, FieldLayout[]>;
  readonly structs = new Map<string, Encoder>();

  constructor(types: Record<string, FieldLayout[]>) {
    this.types = types;
  }

  encoder(ref: TypeRef): Encoder {
    switch (ref.kind) {
      case 'string': return encodeString;
      case 'bool': return encodeBool;
      case 'int':
      case 'uint': return goInteger;
      case 'float':
        // float32 prints its own shortest digits; nothing reachable from Container uses it today.
        if (ref.bits !== 64) throw new Error(`go-json-layout: float${ref.bits} is not supported`);
        return goFloat64;
      case 'quantity': return encodeQuantity;
      case 'intorstring': return encodeIntOrString;
      case 'ptr': {
        const elem = this.encoder(ref.elem as TypeRef);
        return (v) => (v === null || v === undefined ? 'null' : elem(v));
      }
      case 'slice': return sliceEncoder(this.encoder(ref.elem as TypeRef));
      case 'map': {
        if (ref.key?.kind !== 'string') throw new Error('go-json-layout: only string map keys are supported');
        const elem = this.encoder(ref.elem as TypeRef);
        return (v) => {
          if (!isJsonObject(v)) return 'null';
          const keys = Object.keys(v).sort(compareGoStrings);
          let out = '{';
          for (let i = 0; i < keys.length; i++) out += `${i === 0 ? '' : ','}${goJsonString(keys[i])}:${elem(v[keys[i]])}`;
          return `${out}}`;
        };
      }
      case 'struct': return this.struct(ref.type as string);
    }
    throw new Error(`go-json-layout: unknown kind ${(ref as TypeRef).kind}`);
  }

  /** The encoder of a named struct, built once; `overrides` replace field values (see withoutImage). */
  struct(name: string, overrides?: Record<string, unknown>): Encoder {
    const cacheKey = overrides === undefined ? name : undefined;
    const known = cacheKey === undefined ? undefined : this.structs.get(cacheKey);
    if (known !== undefined) return known;
    const layoutFields = this.types[name];
    if (layoutFields === undefined) throw new Error(`go-json-layout: no layout for ${name}`);
    let fields: CompiledField[] = [];
    let zero: string | undefined;
    const encode: Encoder = (v) => {
      // A missing or non-object struct value is the zero struct (Go decodes null as a no-op).
      if (!isJsonObject(v)) return zero ??= encodeFields(EMPTY);
      return encodeFields(v);
    };
    const encodeFields = (v: Record<string, unknown>): string => {
      let out = '';
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const x = v[f.name];
        if (f.isEmpty !== null && f.isEmpty(x)) continue;
        out += (out.length === 0 ? '{' : ',') + f.key + f.encode(x);
      }
      return out.length === 0 ? '{}' : `${out}}`;
    };
    // Registered before the fields are compiled, so recursive types resolve to this closure.
    if (cacheKey !== undefined) this.structs.set(cacheKey, encode);
    fields = layoutFields.map((f): CompiledField => {
      const inner = this.encoder(f);
      const innerEmpty = f.omitempty ? emptyTest(f) : null;
      if (overrides !== undefined && Object.hasOwn(overrides, f.name)) {
        const fixed = overrides[f.name];
        return { name: f.name, key: `${goJsonString(f.name)}:`, encode: () => inner(fixed), isEmpty: innerEmpty && (() => innerEmpty(fixed)) };
      }
      return { name: f.name, key: `${goJsonString(f.name)}:`, encode: inner, isEmpty: innerEmpty };
    });
    return encode;
  }
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

const compiler = new LayoutCompiler(TYPES);
const sidecarContainerList = compiler.encoder({ kind: 'slice', elem: { kind: 'struct', type: SIDECAR_CONTAINER } });
const sidecarContainerListWithoutImage = sliceEncoder(compiler.struct(SIDECAR_CONTAINER, { image: '' }));

/** Go's encoding/json output for one Kruise SidecarContainer (corev1.Container plus the sidecar fields). */
export function goMarshalSidecarContainer(container: unknown): string {
  return compiler.struct(SIDECAR_CONTAINER)(container);
}

// ---------------------------------------------------------------------------------------------
// The hash

function hasNativeSidecar(initContainers: unknown): boolean {
  if (!Array.isArray(initContainers)) return false;
  for (const c of initContainers) if (isJsonObject(c) && c.restartPolicy === 'Always') return true;
  return false;
}

/**
 * The exact JSON text Kruise hashes: `{"containers":[...]}`, plus `"initContainers"` (the whole list)
 * when at least one init container is a native sidecar (restartPolicy Always).
 */
export function sidecarSetHashInput(spec: SidecarSetSpec, withoutImage = false): string {
  const list = withoutImage ? sidecarContainerListWithoutImage : sidecarContainerList;
  let out = `{"containers":${list(spec.containers)}`;
  if (hasNativeSidecar(spec.initContainers)) out += `,"initContainers":${list(spec.initContainers)}`;
  return `${out}}`;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const SAFE_BY_CODE: string[] = Array.from({ length: 128 }, (_, c) => SAFE_ALPHANUMS[c % SAFE_ALPHANUMS.length]);

/** apimachinery rand.SafeEncodeString for ASCII input (a hex digest): each c becomes alphanums[c % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_BY_CODE[s.charCodeAt(i) & 0x7f];
  return out;
}

function hashOf(json: string): string {
  // One-shot digest: a string is hashed as UTF-8, lone surrogates becoming U+FFFD as in Go.
  return safeEncodeString(digest('sha256', json, 'hex'));
}

/** Kruise's `kruise.io/sidecarset-hash`: the revision hash of the sidecar containers. */
export function sidecarSetHash(spec: SidecarSetSpec): string {
  return hashOf(sidecarSetHashInput(spec, false));
}

/** Kruise's `kruise.io/sidecarset-hash-without-image`: the same hash with every image blanked. */
export function sidecarSetHashWithoutImage(spec: SidecarSetSpec): string {
  return hashOf(sidecarSetHashInput(spec, true));
}
