// The resource expression language of `resourcesPolicy.resourcesExpr` ("cpu*50%", "max(memory, 128Mi)"),
// evaluated as Kruise 1.9's calculator does (its lexer and yacc grammar, pkg/util/calculator):
//
//   expr   := expr ('+' | '-') expr | term            (left-associative)
//   term   := term ('*' | '/') term | factor
//   factor := NUMBER | QUANTITY | IDENT | '(' expr ')' | IDENT '(' expr [',' expr] ')' | '-' factor
//
// A NUMBER is a float with an optional '%' (50% is 0.5); a QUANTITY is a number with a Kubernetes unit
// (m, k, M, G, T, P, Ki, Mi, Gi, Ti, Pi). Numbers and quantities mix: a number next to a quantity counts
// as that many cores (milli-scaled), two quantities cannot be multiplied, nothing divides by a quantity.
// The first semantic error wins over a syntax error, and a negative result is an error. The input is
// read byte by byte, as the Go lexer does, so columns in messages are byte columns.
import { QUANTITY_FORMAT_ERROR } from '../quantity.ts';
import { add, compare, goInt64, milliQuantity, milliValue, negate, type Quantity, quantityFrom, quantityString, sign, withMilli } from './quantity-arithmetic.ts';

export type Value = { kind: 'number'; number: number } | { kind: 'quantity'; quantity: Quantity };

export class ExpressionError extends Error {}

const EOF = 0;
const NUMBER = -1;
const QUANTITY = -2;
const IDENT = -3;
const QUANTITY_UNITS = new Set(['m', 'k', 'M', 'G', 'T', 'P', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi']);
const OPERATORS = new Set(['+', '-', '*', '/', '(', ')', ','].map((c) => c.charCodeAt(0)));

// unicode.IsDigit / IsLetter / IsSpace of a byte taken as a rune (the Go lexer converts bytes, not runes).
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isLetter = (b: number): boolean => /\p{L}/u.test(String.fromCharCode(b));
const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  syntaxError: string | undefined;
  private readonly input: Uint8Array;
  constructor(input: Uint8Array) {
    this.input = input;
  }

  private peek(): number {
    return this.pos < this.input.length ? this.input[this.pos] : 0;
  }

  private next(): number {
    if (this.pos >= this.input.length) return 0;
    const b = this.input[this.pos++];
    if (b === 0x0a) {
      this.line++;
      this.col = 1;
    } else this.col++;
    return b;
  }

  private back(): void {
    this.pos--;
    this.col--;
  }

  private readNumber(): string {
    const start = this.pos;
    let seenDot = false;
    let seenE = false;
    let seenPercent = false;
    let expectExponentDigit = false;
    for (;;) {
      const r = this.peek();
      if (r === 0) break;
      if (isDigit(r)) {
        expectExponentDigit = false;
        this.next();
      } else if (r === 0x2e) {
        if (seenDot || seenE || seenPercent) break;
        seenDot = true;
        this.next();
      } else if (r === 0x65 || r === 0x45) {
        if (seenE || seenPercent) break;
        seenE = true;
        expectExponentDigit = true;
        this.next();
      } else if (r === 0x2b || r === 0x2d) {
        if (!expectExponentDigit) break;
        expectExponentDigit = false;
        this.next();
      } else if (r === 0x25) {
        if (seenPercent) break;
        seenPercent = true;
        this.next();
      } else if (isLetter(r)) {
        if (expectExponentDigit) break;
        while (isLetter(this.peek())) this.next();
        break;
      } else break;
    }
    return text(this.input.subarray(start, this.pos));
  }

  /** Returns the token and its text. */
  lex(): [number, string] {
    while (this.peek() !== 0 && isSpace(this.peek())) this.next();
    const r = this.next();
    if (r === 0) return [EOF, ''];
    if (OPERATORS.has(r)) return [r, String.fromCharCode(r)];
    if (r === 0x2e || isDigit(r)) {
      this.back();
      const number = this.readNumber();
      return [isQuantityText(number) ? QUANTITY : NUMBER, number];
    }
    if (isLetter(r)) {
      this.back();
      const start = this.pos;
      while (this.peek() !== 0 && (isLetter(this.peek()) || isDigit(this.peek()) || this.peek() === 0x5f)) this.next();
      return [IDENT, text(this.input.subarray(start, this.pos))];
    }
    return [r, String.fromCharCode(r)];
  }

  error(): void {
    this.syntaxError ??= `parse error: syntax error at line ${this.line}, col ${this.col}`;
  }
}

/** A number followed by exactly one of the units. */
function isQuantityText(s: string): boolean {
  const end = [...s].findIndex((c) => !/[0-9.eE+-]/.test(c));
  return end > 0 && QUANTITY_UNITS.has(s.slice(end));
}

/** strconv.ParseFloat as the grammar uses it: a syntax error reads as 0, an overflow as ±Inf. */
function goParseFloat(s: string): number {
  return /^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s) ? Number(s) : 0;
}

function parseNumber(s: string): number {
  return s.endsWith('%') ? goParseFloat(s.slice(0, -1)) / 100 : goParseFloat(s);
}

const numberValue = (number: number): Value => ({ kind: 'number', number });
const quantityValue = (quantity: Quantity): Value => ({ kind: 'quantity', quantity });
/** A number as a quantity: that many cores, in millis (Go: NewMilliQuantity(int64(n*1000), DecimalSI)). */
const asQuantity = (v: Value): Quantity => (v.kind === 'quantity' ? v.quantity : milliQuantity(goInt64(v.number * 1000)));

class Evaluator {
  private lastError: string | undefined;
  private token: [number, string];
  private readonly lexer: Lexer;
  private readonly variables: Readonly<Record<string, Value>>;
  constructor(lexer: Lexer, variables: Readonly<Record<string, Value>>) {
    this.lexer = lexer;
    this.variables = variables;
    this.token = lexer.lex();
  }

  private fail(message: string): undefined {
    this.lastError = message;
    return undefined;
  }

  private advance(): void {
    this.token = this.lexer.lex();
  }

  /** Consumes the expected token or records the syntax error. */
  private expect(token: number): boolean {
    if (this.token[0] !== token) {
      this.lexer.error();
      return false;
    }
    this.advance();
    return true;
  }

  evaluate(): Value {
    const result = this.expr();
    if (this.lexer.syntaxError === undefined && this.token[0] !== EOF) this.lexer.error();
    if (this.lexer.syntaxError !== undefined) throw new ExpressionError(this.lastError ?? this.lexer.syntaxError);
    if (!result) throw new ExpressionError(this.lastError ?? 'no result from parser');
    return result;
  }

  private binary(operand: () => Value | undefined | null, operators: Record<number, (l: Value | undefined, r: Value | undefined) => Value | undefined>, name: Record<number, string>): Value | undefined | null {
    let left = operand();
    while (left !== null && operators[this.token[0]]) {
      const op = this.token[0];
      this.advance();
      const right = operand();
      if (right === null) return null;
      left = operators[op](left, right);
      if (left === undefined && this.lastError === undefined) this.lastError = `invalid ${name[op]} operation`;
    }
    return left;
  }

  // null: a syntax error was recorded; undefined: a semantic error (evaluation goes on, like yacc's).
  private expr(): Value | undefined | null {
    return this.binary(() => this.term(), { 0x2b: (l, r) => this.add(l, r), 0x2d: (l, r) => this.sub(l, r) }, { 0x2b: 'addition', 0x2d: 'subtraction' });
  }

  private term(): Value | undefined | null {
    return this.binary(() => this.factor(), { 0x2a: (l, r) => this.mul(l, r), 0x2f: (l, r) => this.div(l, r) }, { 0x2a: 'multiplication', 0x2f: 'division' });
  }

  private factor(): Value | undefined | null {
    const [token, value] = this.token;
    switch (token) {
      case NUMBER:
        this.advance();
        return numberValue(parseNumber(value));
      case QUANTITY: {
        this.advance();
        const quantity = quantityFrom(value);
        return quantity ? quantityValue(quantity) : this.fail(QUANTITY_FORMAT_ERROR);
      }
      case IDENT: {
        this.advance();
        if (this.token[0] === 0x28) return this.call(value);
        const variable = this.variables[value.toLowerCase()];
        return variable ?? this.fail(`undefined variable: ${value.toLowerCase()}`);
      }
      case 0x28: {
        this.advance();
        const inner = this.expr();
        if (inner === null || !this.expect(0x29)) return null;
        return inner;
      }
      case 0x2d: {
        this.advance();
        const operand = this.factor();
        if (operand === null) return null;
        if (operand === undefined) return undefined;
        return operand.kind === 'quantity' ? quantityValue(negate(operand.quantity)) : numberValue(-operand.number);
      }
      default:
        this.lexer.error();
        return null;
    }
  }

  private call(name: string): Value | undefined | null {
    this.advance(); // '('
    const args: (Value | undefined)[] = [];
    const first = this.expr();
    if (first === null) return null;
    args.push(first);
    if (this.token[0] === 0x2c) {
      this.advance();
      const second = this.expr();
      if (second === null) return null;
      args.push(second);
    }
    if (!this.expect(0x29)) return null;
    let result: Value | undefined;
    switch (name.toLowerCase()) {
      case 'max':
        result = this.extreme('max', args, (c) => c >= 0);
        break;
      case 'min':
        result = this.extreme('min', args, (c) => c <= 0);
        break;
      default:
        result = this.fail(`unknown function: ${name}`);
    }
    if (result === undefined && this.lastError === undefined) this.lastError = 'function call failed';
    return result;
  }

  /** max/min of two values; `keepsLeft` decides on the comparison of left with right. */
  private extreme(name: string, args: (Value | undefined)[], keepsLeft: (comparison: number) => boolean): Value | undefined {
    if (args.length !== 2) return this.fail(`${name} function requires exactly 2 arguments, got ${args.length}`);
    const [left, right] = args;
    if (!left || !right) return undefined;
    if (left.kind === 'number' && right.kind === 'number') {
      const comparison = left.number === right.number ? 0 : left.number > right.number ? 1 : -1;
      return keepsLeft(comparison) ? left : right;
    }
    const l = asQuantity(left);
    const r = asQuantity(right);
    return keepsLeft(compare(l, r)) ? quantityValue(l) : quantityValue(r);
  }

  private add(left: Value | undefined, right: Value | undefined): Value | undefined {
    if (!left || !right) return undefined;
    if (left.kind === 'number' && right.kind === 'number') return numberValue(left.number + right.number);
    return quantityValue(add(asQuantity(left), asQuantity(right)));
  }

  private sub(left: Value | undefined, right: Value | undefined): Value | undefined {
    if (!left || !right) return undefined;
    if (left.kind === 'number' && right.kind === 'number') return numberValue(left.number - right.number);
    return quantityValue(add(asQuantity(left), negate(asQuantity(right))));
  }

  private mul(left: Value | undefined, right: Value | undefined): Value | undefined {
    if (!left || !right) return undefined;
    if (left.kind === 'quantity' && right.kind === 'quantity') return this.fail('multiplication of two quantities');
    if (left.kind === 'quantity') return quantityValue(withMilli(left.quantity, goInt64(Number(milliValue(left.quantity)) * (right as { number: number }).number)));
    if (right.kind === 'quantity') return quantityValue(withMilli(right.quantity, goInt64(Number(milliValue(right.quantity)) * left.number)));
    return numberValue(left.number * right.number);
  }

  private div(left: Value | undefined, right: Value | undefined): Value | undefined {
    if (!left || !right) return undefined;
    if (right.kind === 'quantity') return this.fail('division by quantity');
    if (right.number === 0) return this.fail('division by zero');
    if (left.kind === 'quantity') return quantityValue(withMilli(left.quantity, goInt64(Number(milliValue(left.quantity)) / right.number)));
    return numberValue(left.number / right.number);
  }
}

/** Go's %g of a float64 (shortest digits; exponent form below 1e-4 and from 1e6). */
export function goFormatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, exponentText] = f.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = Math.abs(exponent) < 10 ? `0${Math.abs(exponent)}` : String(Math.abs(exponent));
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return String(f);
}

/** Evaluates an expression; throws ExpressionError with Kruise's message when it cannot be. */
export function evaluateExpression(expression: string, variables: Readonly<Record<string, Value>>): Value {
  const result = new Evaluator(new Lexer(Buffer.from(expression, 'utf8')), variables).evaluate();
  if (result.kind === 'quantity' ? sign(result.quantity) < 0 : result.number < 0) {
    throw new ExpressionError(`calculation result is negative: ${result.kind === 'quantity' ? quantityString(result.quantity) : goFormatG(result.number)}`);
  }
  return result;
}
