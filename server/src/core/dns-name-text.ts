// DNS labels are arbitrary bytes. We render them the way dig does (special characters
// backslash-escaped, non-printable bytes as \DDD) so a name is always one safe printable
// string in which an unescaped '.' always separates labels: a 0x2e byte inside a label can
// never forge an extra label.

const BACKSLASH = 0x5c;
/** dig/BIND escape these printable characters too: they mean something in zone files. */
const SPECIAL = new Set([0x22, 0x24, 0x28, 0x29, 0x2e, 0x3b, 0x40, 0x5c]);

/** Render one label's bytes as dig would print it, case preserved. */
export function renderLabel(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b < 0x21 || b > 0x7e) out += '\\' + String(b).padStart(3, '0');
    else if (SPECIAL.has(b)) out += '\\' + String.fromCharCode(b);
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * Split a rendered name into its rendered labels. The trailing dot (root) is dropped;
 * an empty name or "." gives no labels. Escapes are kept as they are.
 */
export function splitRenderedName(name: string): string[] {
  const labels: string[] = [];
  let current = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (ch === '\\' && i + 1 < name.length) {
      const digits = name.slice(i + 1, i + 4);
      const take = /^[0-9]{3}$/.test(digits) ? 3 : 1;
      current += name.slice(i, i + 1 + take);
      i += take;
    } else if (ch === '.') {
      if (current !== '') labels.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') labels.push(current);
  return labels;
}

/** The bytes a rendered label stands for (the inverse of renderLabel). */
export function labelBytes(label: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const code = label.charCodeAt(i);
    if (code === BACKSLASH && i + 1 < label.length) {
      const digits = label.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(digits)) {
        out.push(Math.min(255, Number(digits)));
        i += 3;
      } else {
        out.push(label.charCodeAt(i + 1) & 0xff);
        i += 1;
      }
    } else {
      // Rendered text is ASCII; anything else (a caller's own string) is kept as its low byte
      // only to stay total; it never comes out of the decoder.
      out.push(code & 0xff);
    }
  }
  return Uint8Array.from(out);
}
