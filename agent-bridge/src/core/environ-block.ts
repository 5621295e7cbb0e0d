// A process's environment block (/proc/<pid>/environ: NAME=VALUE entries, NUL-separated) as
// name/value pairs, decoded as UTF-8. Pure; the caller reads the bytes and zeroes them after.
// Name and value are each decoded from the bytes on their own: a name cut from a decoded
// `NAME=value` string would be a V8 sliced string keeping the whole entry (the value) alive for
// as long as the name is kept (in the index, in events).

const EQ = 0x3d;

/** The entries of the block; with `keep`, only those whose name it accepts (other values are never decoded). */
export function parseEnvironBlock(bytes: Uint8Array, keep: (name: string) => boolean = () => true): [string, string][] {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const out: [string, string][] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0) continue;
    const eq = bytes.subarray(start, i).indexOf(EQ);
    if (eq > 0) {
      const name = decoder.decode(bytes.subarray(start, start + eq));
      if (keep(name)) out.push([name, decoder.decode(bytes.subarray(start + eq + 1, i))]);
    }
    start = i + 1;
  }
  return out;
}
