// Undo bpftrace 0.17's JSON escaping of a str() value. It prints a byte >= 0x80 as the
// sign-extended "\uffffffXX", which JSON.parse reads as U+FFFF followed by "ffXX"; a real
// U+FFFF cannot occur (its bytes would be escaped the same way), so the pattern is exact.

export interface DecodedString {
  text: string;
  /** Bytes the process passed (str() keeps at most BPFTRACE_STRLEN - 1 of them). */
  byteLength: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();
const HEX = /^ff[89a-f][0-9a-f]$/;

export function decodeBpftraceString(parsed: string): DecodedString {
  const bytes: number[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const code = parsed.charCodeAt(i);
    if (code === 0xffff && HEX.test(parsed.slice(i + 1, i + 5))) {
      bytes.push(parseInt(parsed.slice(i + 3, i + 5), 16));
      i += 4;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      // Not produced by 0.17; a later bpftrace may print UTF-8 verbatim. Keep it as is.
      const cp = parsed.codePointAt(i) ?? code;
      const ch = String.fromCodePoint(cp);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  return { text: utf8.decode(Uint8Array.from(bytes)), byteLength: bytes.length };
}
