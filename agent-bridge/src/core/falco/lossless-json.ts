// A strict JSON scanner that keeps every number as its source text. Falco writes 64-bit
// integers (evt.time and proc.pid.ts in ns since the epoch, ~1.7e18) that JSON.parse rounds to
// the nearest double, and Node 20's V8 (11.3) has no JSON.parse source-text access
// (the reviver's third argument arrived with V8 11.4). Objects come back as Maps, so a
// "__proto__" or "constructor" key is only a key. Never throws; returns the first problem.

export interface JsonNumber { readonly kind: 'number'; readonly text: string }
export type JsonValue = null | boolean | string | JsonNumber | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue>;
export type JsonScan = { ok: true; value: JsonValue } | { ok: false; reason: string; at: number };

export interface ScanLimits {
  /** Falco's deepest output is 3 (alert > output_fields > list field). */
  maxDepth: number;
  /** uint64 has 20 digits; longer numbers are not Falco's. */
  maxNumberChars: number;
}

const DEFAULT_LIMITS: ScanLimits = { maxDepth: 8, maxNumberChars: 40 };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Stop {
  constructor(readonly reason: string, readonly at: number) {}
}

export function scanJson(text: string, limits: Partial<ScanLimits> = {}): JsonScan {
  const scanner = new Scanner(text, { ...DEFAULT_LIMITS, ...limits });
  try {
    const value = scanner.document();
    return { ok: true, value };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, reason: e.reason, at: e.at };
    throw e;
  }
}

class Scanner {
  private pos = 0;

  constructor(private readonly text: string, private readonly limits: ScanLimits) {}

  document(): JsonValue {
    const v = this.value(0);
    this.space();
    if (this.pos !== this.text.length) this.stop('data after the value');
    return v;
  }

  private value(depth: number): JsonValue {
    this.space();
    const c = this.text[this.pos];
    switch (c) {
      case '{': return this.object(depth + 1);
      case '[': return this.array(depth + 1);
      case '"': return this.string();
      case 't': return this.literal('true', true);
      case 'f': return this.literal('false', false);
      case 'n': return this.literal('null', null);
      default: return this.number();
    }
  }

  private object(depth: number): JsonObject {
    if (depth > this.limits.maxDepth) this.stop('nested too deep');
    this.pos++;
    const out = new Map<string, JsonValue>();
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] !== '"') this.stop('expected a key');
      const key = this.string();
      if (out.has(key)) this.stop('duplicate key');
      this.space();
      if (this.text[this.pos] !== ':') this.stop('expected ":"');
      this.pos++;
      out.set(key, this.value(depth));
      this.space();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.stop('expected "," or "}"');
    }
  }

  private array(depth: number): JsonValue[] {
    if (depth > this.limits.maxDepth) this.stop('nested too deep');
    this.pos++;
    const out: JsonValue[] = [];
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.space();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.stop('expected "," or "]"');
    }
  }

  private string(): string {
    this.pos++; // the opening quote
    let out = '';
    for (;;) {
      PLAIN_RUN.lastIndex = this.pos;
      PLAIN_RUN.exec(this.text);
      out += this.text.slice(this.pos, PLAIN_RUN.lastIndex);
      this.pos = PLAIN_RUN.lastIndex;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== '\\') this.stop(c === undefined ? 'unterminated string' : 'control character in string');
      const e = this.text[this.pos + 1] ?? '';
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.stop('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const ch = Object.hasOwn(ESCAPES, e) ? ESCAPES[e] : undefined;
        if (ch === undefined) this.stop('bad escape');
        out += ch;
        this.pos += 2;
      }
    }
  }

  private number(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) this.stop('unexpected character');
    const text = m[0];
    if (text.length > this.limits.maxNumberChars) this.stop('number too long');
    this.pos += text.length;
    return { kind: 'number', text };
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.stop('unexpected character');
    this.pos += word.length;
    return value;
  }

  private space(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private stop(reason: string): never {
    throw new Stop(reason, this.pos);
  }
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

export function isJsonNumber(v: JsonValue | undefined): v is JsonNumber {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && (v as JsonNumber).kind === 'number';
}
