// JSON text as Go's encoding/json writes it: strings escaped Go's way (HTML characters included),
// numbers as Go formats them, map keys sorted, and untouched sub-documents kept as they were
// written (compacted), which is what json.RawMessage-based code such as evanphx/json-patch emits.
// The annotation values Kruise produces, the revision data and the hash input are all written here.
import { compareGoStrings } from './go-order.ts';
import { isJsonObject } from './json-object.ts';

// Strings: encoding/json appendString with HTML escaping (Go >= 1.22).

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

// Numbers.

// A JSON integer as Go writes an intN/uintN field. Non-integers would fail Go's decoder; they read
// as the zero value here.
export function goInteger(v: unknown): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) return '0';
  return Number.isSafeInteger(v) ? String(v === 0 ? 0 : v) : BigInt(v).toString();
}

export function isZeroInteger(v: unknown): boolean {
  return typeof v !== 'number' || !Number.isInteger(v) || v === 0;
}

// float64: Go uses the shortest round-trip digits with exponent form below 1e-6 and from 1e21 on,
// which is also what Number#toString does (Go then trims "e-07" to "e-7", matching JS again).
export function goFloat64(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '0';
  return String(v === 0 ? 0 : v);
}


/**
 * A parsed JSON value that remembers its source text. `object` is a value still in its original form
 * (member order and duplicate keys kept); `map` is one that was decoded into a Go map (keys unique,
 * written sorted).
 */
export type GoJsonNode =
  | { kind: 'literal'; text: string }
  | { kind: 'array'; items: GoJsonNode[] }
  | { kind: 'object'; members: { keyText: string; key: string; value: GoJsonNode }[] }
  | { kind: 'map'; entries: Map<string, GoJsonNode> };

/** What Go's compaction does to a raw string token when it re-emits it. */
const escapeHtmlInToken = (token: string): string =>
  token.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Writes a node: raw parts compacted, map parts with sorted keys. */
export function emitGoJson(node: GoJsonNode): string {
  switch (node.kind) {
    case 'literal':
      return node.text.startsWith('"') ? escapeHtmlInToken(node.text) : node.text;
    case 'array':
      return `[${node.items.map(emitGoJson).join(',')}]`;
    case 'object':
      return `{${node.members.map((m) => `${escapeHtmlInToken(m.keyText)}:${emitGoJson(m.value)}`).join(',')}}`;
    case 'map':
      return `{${[...node.entries.keys()].sort(compareGoStrings).map((key) => `${goJsonString(key)}:${emitGoJson(node.entries.get(key)!)}`).join(',')}}`;
  }
}

/** Go's json.Marshal of a decoded JSON value (map[string]interface{} and friends): maps with sorted keys. */
export function goCanonicalJson(value: unknown): string {
  return emitGoJson(decodedNode(value));
}

function decodedNode(value: unknown): GoJsonNode {
  if (Array.isArray(value)) return { kind: 'array', items: value.map(decodedNode) };
  if (isJsonObject(value)) return { kind: 'map', entries: new Map(Object.entries(value).map(([key, item]) => [key, decodedNode(item)])) };
  if (typeof value === 'string') return { kind: 'literal', text: goJsonString(value) };
  if (typeof value === 'number') return { kind: 'literal', text: Number.isFinite(value) ? String(value) : 'null' };
  if (typeof value === 'boolean') return { kind: 'literal', text: String(value) };
  return { kind: 'literal', text: 'null' };
}

export const isJsonNull = (node: GoJsonNode): boolean => node.kind === 'literal' && node.text === 'null';

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const KEYWORD = /true|false|null/y;

/** Parses JSON text strictly (RFC 8259, as Go accepts it); throws SyntaxError. */
export function parseGoJson(text: string): GoJsonNode {
  const parser = new Parser(text);
  const node = parser.value();
  parser.skipWhitespace();
  if (parser.position !== text.length) parser.fail();
  return node;
}

class Parser {
  readonly text: string;
  position = 0;
  constructor(text: string) {
    this.text = text;
  }

  fail(): never {
    throw new SyntaxError(`invalid JSON at offset ${this.position}`);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.position;
    WHITESPACE.exec(this.text);
    this.position = WHITESPACE.lastIndex;
  }

  token(pattern: RegExp): string {
    pattern.lastIndex = this.position;
    const match = pattern.exec(this.text);
    if (!match) this.fail();
    this.position = pattern.lastIndex;
    return match[0];
  }

  expect(char: string): void {
    this.skipWhitespace();
    if (this.text[this.position] !== char) this.fail();
    this.position++;
  }

  /** Consumes `char` if it comes next. */
  accept(char: string): boolean {
    this.skipWhitespace();
    if (this.text[this.position] !== char) return false;
    this.position++;
    return true;
  }

  value(): GoJsonNode {
    this.skipWhitespace();
    switch (this.text[this.position]) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return { kind: 'literal', text: this.token(STRING) };
      case 't':
      case 'f':
      case 'n':
        return { kind: 'literal', text: this.token(KEYWORD) };
      default:
        return { kind: 'literal', text: this.token(NUMBER) };
    }
  }

  object(): GoJsonNode {
    this.position++;
    const members: { keyText: string; key: string; value: GoJsonNode }[] = [];
    if (this.accept('}')) return { kind: 'object', members };
    do {
      this.skipWhitespace();
      const keyText = this.token(STRING);
      this.expect(':');
      members.push({ keyText, key: JSON.parse(keyText) as string, value: this.value() });
    } while (this.accept(','));
    this.expect('}');
    return { kind: 'object', members };
  }

  array(): GoJsonNode {
    this.position++;
    const items: GoJsonNode[] = [];
    if (this.accept(']')) return { kind: 'array', items };
    do items.push(this.value());
    while (this.accept(','));
    this.expect(']');
    return { kind: 'array', items };
  }
}
