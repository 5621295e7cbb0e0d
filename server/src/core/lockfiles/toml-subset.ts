// A reader for the part of TOML that Cargo.lock and poetry.lock are written in. Tables are Maps,
// so a key such as `__proto__` is only ever data.
//
// The subset: `#` comments; `[a.b]` tables and `[[a.b]]` arrays of tables (bare or quoted key
// segments, a header descends into the last table of an array); `key = value` with bare, quoted
// or dotted keys; basic "..." and literal '...' strings, their triple-quoted multi-line forms and
// all TOML escapes; arrays and inline tables over any number of lines, with comments and trailing
// commas; true/false; decimal integers and floats. Any other bare value (a date, `inf`, `0x1f`) is
// kept as its text. A key or table defined twice is an error, as in TOML.
import { LockfileFault } from './lockfile.js';

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export type TomlTable = Map<string, TomlValue>;

const bareKey = /[A-Za-z0-9_-]+/y;
const bareValue = /[A-Za-z0-9_+\-.:]+/y;
const decimal = /^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$/;

export function readToml(text: string, maxDepth: number): TomlTable {
  return new TomlReader(text, maxDepth).document();
}

class TomlReader {
  private pos = 0;
  private readonly root: TomlTable = new Map();
  /** Tables a `[header]` defined, arrays a `[[header]]` made, and values written inline (closed to headers). */
  private readonly defined = new WeakSet<TomlTable>();
  private readonly tableArrays = new WeakSet<TomlValue[]>();
  private readonly inline = new WeakSet<object>();

  constructor(private readonly text: string, private readonly maxDepth: number) {}

  document(): TomlTable {
    let current = this.root;
    while (this.pos < this.text.length) {
      this.skipSpaces();
      const c = this.text[this.pos];
      if (c === undefined) break;
      if (c === '\n' || c === '\r') { this.newline(); continue; }
      if (c === '#') { this.skipComment(); continue; }
      current = c === '[' ? this.header() : (this.keyValue(current), current);
      this.endOfLine();
    }
    return this.root;
  }

  private header(): TomlTable {
    const array = this.text.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    const path = this.keyPath();
    if (!this.text.startsWith(array ? ']]' : ']', this.pos)) this.fail(`expected ${array ? ']]' : ']'} after the table name`);
    this.pos += array ? 2 : 1;
    const parent = this.descend(this.root, path.slice(0, -1));
    const last = path.at(-1)!;
    const existing = parent.get(last);
    if (array) {
      let list = existing;
      if (list === undefined) {
        list = [];
        this.tableArrays.add(list);
        parent.set(last, list);
      } else if (!Array.isArray(list) || !this.tableArrays.has(list)) {
        this.fail(`[[${path.join('.')}]] names a value that is not an array of tables`);
      }
      const table: TomlTable = new Map();
      list.push(table);
      return table;
    }
    if (existing === undefined) {
      const table: TomlTable = new Map();
      parent.set(last, table);
      this.defined.add(table);
      return table;
    }
    if (!(existing instanceof Map) || this.inline.has(existing)) this.fail(`[${path.join('.')}] names a value that is not a table`);
    if (this.defined.has(existing)) this.fail(`table [${path.join('.')}] defined twice`);
    this.defined.add(existing);
    return existing;
  }

  /** Walks a key path from `from`, making missing tables; through an array of tables it takes the last. */
  private descend(from: TomlTable, path: string[]): TomlTable {
    let node = from;
    for (const key of path) {
      let next = node.get(key);
      if (next === undefined) {
        next = new Map();
        node.set(key, next);
      }
      if (Array.isArray(next) && this.tableArrays.has(next)) next = next.at(-1);
      if (!(next instanceof Map) || this.inline.has(next)) this.fail(`key ${key} is not a table`);
      node = next;
    }
    return node;
  }

  private keyValue(into: TomlTable, depth = 0): void {
    const path = this.keyPath();
    this.skipSpaces();
    if (this.text[this.pos] !== '=') this.fail('expected = after a key');
    this.pos++;
    this.skipSpaces();
    const table = this.descend(into, path.slice(0, -1));
    const key = path.at(-1)!;
    if (table.has(key)) this.fail(`key ${path.join('.')} defined twice`);
    table.set(key, this.value(depth));
  }

  private keyPath(): string[] {
    const path: string[] = [];
    for (;;) {
      this.skipSpaces();
      path.push(this.key());
      this.skipSpaces();
      if (this.text[this.pos] !== '.') return path;
      this.pos++;
    }
  }

  private key(): string {
    const c = this.text[this.pos];
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    bareKey.lastIndex = this.pos;
    const m = bareKey.exec(this.text);
    if (!m) this.fail('expected a key');
    this.pos += m[0].length;
    return m[0];
  }

  private value(depth: number): TomlValue {
    if (depth > this.maxDepth) throw new LockfileFault('too_deep', `values nested deeper than ${this.maxDepth}`, this.line());
    const c = this.text[this.pos];
    if (c === '"') return this.text.startsWith('"""', this.pos) ? this.multiline('"""') : this.basicString();
    if (c === "'") return this.text.startsWith("'''", this.pos) ? this.multiline("'''") : this.literalString();
    if (c === '[') return this.array(depth);
    if (c === '{') return this.inlineTable(depth);
    bareValue.lastIndex = this.pos;
    const m = bareValue.exec(this.text);
    if (!m) this.fail('expected a value');
    this.pos += m[0].length;
    const token = m[0];
    if (token === 'true') return true;
    if (token === 'false') return false;
    return decimal.test(token) ? Number(token.replace(/_/g, '')) : token;
  }

  private array(depth: number): TomlValue[] {
    this.pos++;
    const list: TomlValue[] = [];
    this.inline.add(list);
    for (;;) {
      this.skipBlank();
      if (this.text[this.pos] === ']') { this.pos++; return list; }
      list.push(this.value(depth + 1));
      this.skipBlank();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== ']') this.fail('expected , or ] in an array');
    }
  }

  private inlineTable(depth: number): TomlTable {
    this.pos++;
    const table: TomlTable = new Map();
    for (;;) {
      this.skipBlank();
      if (this.text[this.pos] === '}') break;
      this.keyValue(table, depth + 1);
      this.skipBlank();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') this.fail('expected , or } in an inline table');
    }
    this.pos++;
    this.inline.add(table);
    return table;
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n' || c === '\r') this.fail('unterminated string');
      this.pos++;
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private literalString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    const nl = this.text.indexOf('\n', this.pos + 1);
    if (end < 0 || (nl >= 0 && nl < end)) this.fail('unterminated string');
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  private multiline(quote: '"""' | "'''"): string {
    this.pos += 3;
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.text[this.pos] === '\n') this.pos++;
    let out = '';
    for (;;) {
      if (this.text.startsWith(quote, this.pos)) {
        let extra = 0; // up to two quotes may sit right before the closing three
        while (extra < 2 && this.text[this.pos + 3 + extra] === quote[0]) extra++;
        out += quote[0]!.repeat(extra);
        this.pos += 3 + extra;
        return out;
      }
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated multi-line string');
      this.pos++;
      if (c === '\\' && quote === '"""') {
        if (/^[ \t]*\r?\n/.test(this.text.slice(this.pos, this.pos + 64))) {
          while (/[ \t\r\n]/.test(this.text[this.pos] ?? '')) this.pos++; // line-ending backslash
        } else {
          out += this.escape();
        }
      } else {
        out += c;
      }
    }
  }

  private escape(): string {
    const c = this.text[this.pos++];
    switch (c) {
      case 'b': return '\b';
      case 't': return '\t';
      case 'n': return '\n';
      case 'f': return '\f';
      case 'r': return '\r';
      case 'e': return '\u001b';
      case '"': return '"';
      case '\\': return '\\';
      case 'u': case 'U': {
        const width = c === 'u' ? 4 : 8;
        const hex = this.text.slice(this.pos, this.pos + width);
        const code = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === width ? parseInt(hex, 16) : -1;
        if (code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail('bad unicode escape');
        this.pos += width;
        return String.fromCodePoint(code);
      }
      default:
        return this.fail('bad escape in a string');
    }
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  /** Spaces, newlines and comments: what may sit between the items of an array. */
  private skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      const c = this.text[this.pos];
      if (c === '\n' || c === '\r') this.newline();
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  private skipComment(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl;
  }

  private newline(): void {
    if (this.text[this.pos] === '\r' && this.text[this.pos + 1] !== '\n') this.fail('a carriage return without a line feed');
    this.pos += this.text[this.pos] === '\r' ? 2 : 1;
  }

  private endOfLine(): void {
    this.skipSpaces();
    const c = this.text[this.pos];
    if (c === '#') this.skipComment();
    else if (c !== undefined && c !== '\n' && c !== '\r') this.fail('expected the end of the line');
  }

  private line(): number {
    let n = 1;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < this.pos; i = this.text.indexOf('\n', i + 1)) n++;
    return n;
  }

  private fail(message: string): never {
    throw new LockfileFault('syntax', message, this.line());
  }
}
