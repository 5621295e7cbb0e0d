// Optimal-string-alignment distance (Damerau–Levenshtein where a swapped pair of neighbours is
// one edit and no substring is edited twice): the distance that counts the typos people make,
// a key hit twice, missed, swapped with its neighbour or replaced by another.

/** OSA distance between `a` and `b`, or `max + 1` as soon as it must exceed `max`. */
export function osaDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0 || m === 0) return Math.max(n, m) <= max ? Math.max(n, m) : max + 1;
  // Three rows: the one two back is needed for transpositions.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]! <= max ? prev[m]! : max + 1;
}

/** For two strings one edit apart, what the edit was, in words: `"e" replaced by "r" at 9`. */
export function describeOneEdit(candidate: string, known: string): string {
  let i = 0;
  while (i < candidate.length && i < known.length && candidate[i] === known[i]) i++;
  const at = `at ${i + 1}`;
  if (candidate.length === known.length + 1) return `extra "${candidate[i]}" ${at}`;
  if (candidate.length + 1 === known.length) return `"${known[i]}" missing ${at}`;
  if (candidate[i] === known[i + 1] && candidate[i + 1] === known[i] && candidate.slice(i + 2) === known.slice(i + 2)) {
    return `"${known[i]}${known[i + 1]}" swapped ${at}`;
  }
  return `"${known[i]}" replaced by "${candidate[i]}" ${at}`;
}
