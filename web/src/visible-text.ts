// Makes attacker-chosen text visible and bounded: control and invisible characters become
// escapes (so a qname cannot hide bytes or reorder the line), and long text is clipped safely.

// C0 controls, DEL and C1 controls are shown as \xNN; bidi overrides/isolates, zero-width
// characters, line/paragraph separators and the BOM as \u{NNNN} ("Trojan Source" tricks).
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function showControls(text: string): string {
  return text.replace(HIDDEN, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16).padStart(4, '0')}}`;
  });
}

/** The first `max` code units of `text`, never ending in half a surrogate pair. */
export function clipHead(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max));
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  return head;
}

/** Visible text clipped for one-line cells: escapes first, then at most `max` characters plus an ellipsis. */
export function oneLine(text: string, max: number): string {
  const visible = showControls(text);
  const head = clipHead(visible, max);
  return head.length < visible.length ? `${head}…` : head;
}
