// JSON text as Go's encoding/json writes it, for the annotation values Kruise produces: strings escaped
// Go's way (HTML characters included), map keys sorted, and untouched sub-documents kept as they were
// written (compacted), which is what json.RawMessage-based code such as evanphx/json-patch emits.
import { compareGoStrings } from './go-order.ts';
import { goJsonString } from './hash.ts';

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
