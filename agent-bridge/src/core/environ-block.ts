// A process's environment block (/proc/<pid>/environ: NAME=VALUE entries, NUL-separated) as
// name/value pairs, decoded as UTF-8. Pure; the caller reads the bytes and drops them.

export function parseEnvironBlock(bytes: Uint8Array): [string, string][] {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const out: [string, string][] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0) continue;
    if (i > start) {
      const entry = decoder.decode(bytes.subarray(start, i));
      const eq = entry.indexOf('=');
      if (eq > 0) out.push([entry.slice(0, eq), entry.slice(eq + 1)]);
    }
    start = i + 1;
  }
  return out;
}
