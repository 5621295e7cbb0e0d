// Characters that read as other characters. Two folds: `foldScript` turns a name written with
// look-alikes from other scripts (Cyrillic `а`, Greek `ο`, fullwidth `ｒ`, a hidden U+200B) into
// the Latin name it imitates; `foldVisual` then merges ASCII that reads alike (`rn`/`m`, `1`/`l`).
// The table is written by hand after Unicode's confusables.txt (UTS #39,
// https://www.unicode.org/Public/security/latest/confusables.txt): Cyrillic, Greek, Armenian and
// Latin IPA letters that read as one ASCII letter. NFKC already folds fullwidth and mathematical
// letters. See README.md for how to extend it.

export interface Fold {
  readonly text: string;
  /** What the fold read differently, for evidence: `U+0430 (Cyrillic) as "a"`. Printable ASCII only. */
  readonly notes: readonly string[];
}

// [look-alike, ASCII it reads as, script]
const TABLE: ReadonlyArray<readonly [string, string, string]> = [
  // Cyrillic small
  ['а', 'a', 'Cyrillic'], ['е', 'e', 'Cyrillic'], ['о', 'o', 'Cyrillic'], ['р', 'p', 'Cyrillic'],
  ['с', 'c', 'Cyrillic'], ['у', 'y', 'Cyrillic'], ['х', 'x', 'Cyrillic'], ['ѕ', 's', 'Cyrillic'],
  ['і', 'i', 'Cyrillic'], ['ј', 'j', 'Cyrillic'], ['һ', 'h', 'Cyrillic'], ['ԁ', 'd', 'Cyrillic'],
  ['ԛ', 'q', 'Cyrillic'], ['ԝ', 'w', 'Cyrillic'], ['ӏ', 'l', 'Cyrillic'], ['ɡ', 'g', 'Latin IPA'],
  ['ь', 'b', 'Cyrillic'], ['к', 'k', 'Cyrillic'], ['п', 'n', 'Cyrillic'], ['г', 'r', 'Cyrillic'],
  // Cyrillic capital (read as the Latin capital, then lower-cased)
  ['А', 'A', 'Cyrillic'], ['В', 'B', 'Cyrillic'], ['Е', 'E', 'Cyrillic'], ['К', 'K', 'Cyrillic'],
  ['М', 'M', 'Cyrillic'], ['Н', 'H', 'Cyrillic'], ['О', 'O', 'Cyrillic'], ['Р', 'P', 'Cyrillic'],
  ['С', 'C', 'Cyrillic'], ['Т', 'T', 'Cyrillic'], ['Х', 'X', 'Cyrillic'], ['У', 'Y', 'Cyrillic'],
  ['І', 'I', 'Cyrillic'], ['Ј', 'J', 'Cyrillic'], ['Ѕ', 'S', 'Cyrillic'], ['Ԛ', 'Q', 'Cyrillic'],
  ['Ԝ', 'W', 'Cyrillic'], ['Ӏ', 'l', 'Cyrillic'],
  // Greek
  ['α', 'a', 'Greek'], ['ο', 'o', 'Greek'], ['ρ', 'p', 'Greek'], ['ν', 'v', 'Greek'],
  ['ι', 'i', 'Greek'], ['κ', 'k', 'Greek'], ['υ', 'u', 'Greek'], ['χ', 'x', 'Greek'],
  ['γ', 'y', 'Greek'], ['τ', 't', 'Greek'], ['ϲ', 'c', 'Greek'], ['ϳ', 'j', 'Greek'],
  ['Α', 'A', 'Greek'], ['Β', 'B', 'Greek'], ['Ε', 'E', 'Greek'], ['Ζ', 'Z', 'Greek'],
  ['Η', 'H', 'Greek'], ['Ι', 'I', 'Greek'], ['Κ', 'K', 'Greek'], ['Μ', 'M', 'Greek'],
  ['Ν', 'N', 'Greek'], ['Ο', 'O', 'Greek'], ['Ρ', 'P', 'Greek'], ['Τ', 'T', 'Greek'],
  ['Υ', 'Y', 'Greek'], ['Χ', 'X', 'Greek'],
  // Armenian
  ['օ', 'o', 'Armenian'], ['ս', 'u', 'Armenian'], ['ո', 'n', 'Armenian'], ['հ', 'h', 'Armenian'],
  ['ց', 'g', 'Armenian'], ['զ', 'q', 'Armenian'],
  // Latin letters outside ASCII
  ['ı', 'i', 'Latin dotless'], ['ȷ', 'j', 'Latin dotless'], ['ɑ', 'a', 'Latin IPA'], ['ɩ', 'i', 'Latin IPA'],
  ['ǀ', 'l', 'Latin click'],
  // Not in confusables.txt as single letters, added by hand: stroked letters NFD does not take apart.
  ['ø', 'o', 'Latin'], ['đ', 'd', 'Latin'], ['ł', 'l', 'Latin'],
];
const SCRIPT = new Map(TABLE.map(([from, to, script]) => [from, { to, script }]));

// Invisible or format characters (controls, zero-width, bidi marks, BOM, soft hyphen): a name
// that carries one shows as the name without it.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\u034f\u115f\u1160\u3164\uffa0]/u;
const MARK = /\p{M}/u;

/** Unicode to the ASCII a reader would take it for. Pure ASCII comes back unchanged, with no notes. */
export function foldScript(name: string): Fold {
  if (/^[\x21-\x7e]*$/.test(name)) return { text: name, notes: [] };
  const notes: string[] = [];
  let out = '';
  // NFKC first (fullwidth `ｒ`, ligature `ﬁ`, mathematical `𝐫`), then NFD so accents come apart.
  for (const ch of name.normalize('NFKC').normalize('NFD')) {
    const hit = SCRIPT.get(ch);
    if (hit) {
      out += hit.to;
      if (notes.length < 8) notes.push(`${showCp(ch)} (${hit.script}) as "${hit.to.toLowerCase()}"`);
    } else if (MARK.test(ch)) {
      if (notes.length < 8) notes.push(`accent ${showCp(ch)} ignored`);
    } else if (INVISIBLE.test(ch)) {
      if (notes.length < 8) notes.push(`invisible ${showCp(ch)} ignored`);
    } else out += ch;
  }
  const nfkc = name.normalize('NFKC');
  if (nfkc !== name && notes.length < 8 && /[\uff01-\uff5e]|[\u{1d400}-\u{1d7ff}]|[\ufb00-\ufb06]/u.test(name)) notes.unshift('compatibility forms (fullwidth, ligature, mathematical) read as plain letters');
  return { text: out.normalize('NFC'), notes };
}

// ASCII sequences that read as one another in common fonts. Applied to both sides, so only the
// direction that merges matters; longer sequences first.
const VISUAL: ReadonlyArray<readonly [string, string]> = [['rn', 'm'], ['vv', 'w'], ['0', 'o'], ['1', 'l'], ['|', 'l']];

/** Merges ASCII look-alikes in a lower-case name (`I` must be mapped to `l` before lower-casing: see `capitalI`). */
export function foldVisual(lower: string): Fold {
  let text = lower;
  const notes: string[] = [];
  for (const [from, to] of VISUAL) {
    if (text.includes(from)) {
      text = text.split(from).join(to);
      notes.push(`"${from}" reads as "${to}"`);
    }
  }
  return { text, notes };
}

/** Capital `I` reads as small `l`; lower-casing would make it an `i`, so it is read first. */
export function capitalI(name: string): Fold {
  return name.includes('I') ? { text: name.replace(/I/g, 'l'), notes: ['capital "I" reads as "l"'] } : { text: name, notes: [] };
}

/** A code point for evidence: `U+0430`, never the character itself (it would read as the letter it imitates). */
function showCp(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
