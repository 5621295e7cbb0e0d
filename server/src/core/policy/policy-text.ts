// Text helpers shared by the generators: how untrusted text is shown in a comment or a YAML
// string, and how a pipeline name becomes an identifier. Nothing here passes raw input through.

/** Printable ASCII stays; quotes, backslashes and everything else become JSON-style escapes. */
export function escapeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else {
      const v = code - 0x10000;
      out += `\\u${(0xd800 + (v >> 10)).toString(16)}\\u${(0xdc00 + (v & 0x3ff)).toString(16)}`;
    }
  }
  return out;
}

/** A double-quoted string, safe in a `#` comment, in YAML and in JSON (one line, ASCII only). */
export function quoted(text: string, max = 600): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return `"${escapeText(cut)}"`;
}

const YAML_WORDS = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/** A YAML scalar: plain when it cannot be misread (identifiers, numbers, IPv4), else quoted. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  if (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(value) && !YAML_WORDS.test(value)) return value;
  return quoted(value, Number.POSITIVE_INFINITY);
}

/** `[a, "b:c"]`: a flow sequence of scalars. */
export function yamlFlow(values: readonly (string | number)[]): string {
  return `[${values.map(yamlScalar).join(', ')}]`;
}

/** FNV-1a (32 bits) as 8 hex digits: a short, stable tag for a lossy slug. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A pipeline name as `[a-z0-9]` words joined by `sep`, at most `max` characters. When that
 * lost anything (case, punctuation, length) a hash of the full name is appended, so `my/app`
 * and `my-app` do not share a Kubernetes name, a Falco macro or an nft table.
 */
export function pipelineSlug(pipeline: string, sep: '-' | '_', max = 40): string {
  const words = pipeline.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let slug = words.join(sep).slice(0, max).replace(/[-_]+$/, '');
  if (slug !== pipeline) slug = `${slug || 'pipeline'}${sep}${fnv1a(pipeline)}`;
  return slug;
}
