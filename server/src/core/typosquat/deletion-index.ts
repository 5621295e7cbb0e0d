// Symmetric-delete index (the idea behind SymSpell): two strings within k edits share a string
// made by deleting at most k characters from each. Each well-known name is stored under the
// hashes of its deletion variants; a candidate looks up the hashes of its own and gets back a
// short list to verify with the real distance. Hashes are 32-bit (collisions only cost a
// verification) and live in two typed arrays, so 50k names cost a few MB, not a Map of strings.

const BASE = 0x01000193; // odd, so powers never vanish mod 2^32

/** Prefix hashes and powers of `s` for O(1) hashes of `s` with one or two characters removed. */
function prefixes(s: string): { pre: Int32Array; pow: Int32Array } {
  const n = s.length;
  const pre = new Int32Array(n + 1);
  const pow = new Int32Array(n + 1);
  pow[0] = 1;
  for (let i = 0; i < n; i++) {
    pre[i + 1] = (Math.imul(pre[i]!, BASE) + s.charCodeAt(i) + 1) | 0;
    pow[i + 1] = Math.imul(pow[i]!, BASE);
  }
  return { pre, pow };
}

/** Hash of s[l..r) from prefix hashes. */
function sub(pre: Int32Array, pow: Int32Array, l: number, r: number): number {
  return (pre[r]! - Math.imul(pre[l]!, pow[r - l]!)) | 0;
}

function finish(h: number, length: number): number {
  // Mix in the length, then murmur3's finaliser so nearby hashes spread over the table.
  let x = (h ^ Math.imul(length, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Calls `emit` with the hash of `s` and of every string made by deleting up to `k` (0-2) characters. */
export function forEachDeletionHash(s: string, k: number, emit: (hash: number) => void): void {
  const n = s.length;
  const { pre, pow } = prefixes(s);
  emit(finish(pre[n]!, n));
  if (k < 1 || n < 1) return;
  for (let i = 0; i < n; i++) {
    const h = (Math.imul(pre[i]!, pow[n - 1 - i]!) + sub(pre, pow, i + 1, n)) | 0;
    emit(finish(h, n - 1));
  }
  if (k < 2 || n < 2) return;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const h = (Math.imul(pre[i]!, pow[n - 2 - i]!) + Math.imul(sub(pre, pow, i + 1, j), pow[n - 1 - j]!) + sub(pre, pow, j + 1, n)) | 0;
      emit(finish(h, n - 2));
    }
  }
}

export interface DeletionIndex {
  /** Ids of stored strings that may be within the stored budget of `s` (verify before use). */
  candidates(s: string, k: number): Set<number>;
  readonly entries: number;
}

/** `budgets[id]` is how many deletions to store for `forms[id]` (0 stores the string itself only). */
export function buildDeletionIndex(forms: readonly string[], budgets: readonly number[]): DeletionIndex {
  let keys = new Float64Array(1024);
  let used = 0;
  for (let id = 0; id < forms.length; id++) {
    const budget = budgets[id] ?? 0;
    if (budget < 0) continue;
    forEachDeletionHash(forms[id]!, budget, (hash) => {
      if (used === keys.length) {
        const grown = new Float64Array(keys.length * 2);
        grown.set(keys);
        keys = grown;
      }
      keys[used++] = hash * 0x100000 + id; // hash in the high bits, id (< 2^20) in the low
    });
  }
  const sorted = keys.subarray(0, used).sort();
  let hashArr = new Uint32Array(used);
  let idArr = new Uint32Array(used);
  let n = 0;
  for (let i = 0; i < used; i++) {
    const key = sorted[i]!;
    if (i > 0 && key === sorted[i - 1]) continue; // the same deletion reached two ways ("aab" less either "a")
    hashArr[n] = Math.floor(key / 0x100000);
    idArr[n] = key % 0x100000;
    n++;
  }
  hashArr = hashArr.slice(0, n);
  idArr = idArr.slice(0, n);
  // A directory on the top bits of the hash, about four entries a bucket: a lookup is an index
  // and a short scan within one cache line, not a binary search, and the directory stays small.
  const bits = Math.min(22, Math.max(4, Math.ceil(Math.log2(hashArr.length + 1)) - 2));
  const shift = 32 - bits;
  const dir = new Uint32Array((1 << bits) + 1);
  for (let b = 0, i = 0; b <= 1 << bits; b++) {
    while (i < hashArr.length && hashArr[i]! >>> shift < b) i++;
    dir[b] = i;
  }
  return {
    entries: hashArr.length,
    candidates(s, k) {
      const out = new Set<number>();
      forEachDeletionHash(s, k, (hash) => {
        const b = hash >>> shift;
        for (let i = dir[b]!, end = dir[b + 1]!; i < end; i++) if (hashArr[i] === hash) out.add(idArr[i]!);
      });
      return out;
    },
  };
}
