// What one build's DNS queries may cost the secret check: a bucket of pieces refilled every
// second (a flooding build is cut off, not the agent's other builds), and a bounded memory of
// the queries already checked, so a repeated query costs one hash. Pure: the clock is passed in.

export class SecretCheckBudget {
  private tokens: number;
  private at: number | null = null;
  /** Keyed fingerprints of queries checked, oldest first (a Map keeps insertion order). */
  private readonly checked = new Map<string, true>();

  constructor(private readonly piecesPerSecond: number, private readonly remember: number) {
    this.tokens = piecesPerSecond;
  }

  /** The query was checked already (and is now the most recent). */
  seen(key: string): boolean {
    if (!this.checked.delete(key)) return false;
    this.checked.set(key, true);
    return true;
  }

  /** Takes `pieces` from the bucket, or false (and takes nothing) when it holds fewer. */
  take(pieces: number, nowMs: number): boolean {
    if (this.at === null) this.at = nowMs;
    if (nowMs > this.at) {
      this.tokens = Math.min(this.piecesPerSecond, this.tokens + ((nowMs - this.at) * this.piecesPerSecond) / 1000);
      this.at = nowMs;
    }
    if (pieces > this.tokens) return false;
    this.tokens -= pieces;
    return true;
  }

  /** Remembers a checked query, forgetting the least recent beyond the bound. */
  checkedNow(key: string): void {
    this.checked.set(key, true);
    if (this.checked.size > this.remember) this.checked.delete(this.checked.keys().next().value!);
  }

  /** What was checked no longer holds (more fingerprints arrived): every query is new again. */
  forget(): void {
    this.checked.clear();
  }
}
