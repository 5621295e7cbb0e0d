// Falco's text rendering of a data buffer (evt.arg.data, evt.buffer) back into bytes.
// libsinsp event.cpp binary_buffer_to_string: with buffer_format_base64 it is base64, lossless
// up to the snaplen; by default it is one character per byte, the byte itself when isprint()
// (0x20-0x7e) and '.' otherwise, so a '.' is a 0x2e or any of 161 other bytes.

export type BufferFormat = 'auto' | 'base64' | 'dots';

export type RenderedBuffer =
  | { kind: 'exact'; bytes: Uint8Array }
  /** One character per byte; '.' hides the byte. */
  | { kind: 'dots'; text: string }
  | { kind: 'invalid'; reason: string };

/** Longest rendering we read: Falco's largest snaplen (SNAPLEN_MAX 65000) in base64. */
export const MAX_RENDERED_CHARS = 90_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DOTS = /^[\x20-\x7e]*$/;

/**
 * `auto` tells the two apart by content: a base64 string never holds '.', and the dots
 * rendering of a DNS message always does (QDCOUNT's high byte is 0x00).
 * `nested`: evt.buffer is rendered twice on its way to the output (the extracted value is
 * already rendered, and rawval_to_string renders a PT_BYTEBUF again), so in base64 mode it is
 * base64 of base64; we unwrap that one extra layer. evt.arg.data is rendered once.
 */
export function readRenderedBuffer(text: string, format: BufferFormat, nested = false): RenderedBuffer {
  if (text.length > MAX_RENDERED_CHARS) return { kind: 'invalid', reason: 'too long' };
  const looksBase64 = text.length > 0 && BASE64.test(text);
  if (format === 'base64' || (format === 'auto' && looksBase64)) {
    if (!looksBase64) return { kind: 'invalid', reason: 'not base64' };
    let bytes = decodeBase64(text);
    if (nested) {
      const inner = latin1(bytes);
      if (inner.length > 0 && BASE64.test(inner)) bytes = decodeBase64(inner);
    }
    return { kind: 'exact', bytes };
  }
  if (!DOTS.test(text)) return { kind: 'invalid', reason: 'not a dots rendering' };
  return { kind: 'dots', text };
}

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
