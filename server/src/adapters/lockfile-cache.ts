// A least-recently-used map bounded by a cost (for lockfiles: packages held), not by entries:
// a 20,000-package npm lock weighs what a thousand small Cargo.locks do.

export class CostLru<V> {
  private readonly entries = new Map<string, { value: V; cost: number }>();
  private total = 0;

  constructor(private readonly budget: number) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Keeps `value`, evicting the least recently used entries until the total fits (the newest always stays). */
  set(key: string, value: V, cost: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.cost;
      this.entries.delete(key);
    }
    const c = Math.max(1, cost);
    this.entries.set(key, { value, cost: c });
    this.total += c;
    for (const [k, e] of this.entries) {
      if (this.total <= this.budget || k === key) break;
      this.entries.delete(k);
      this.total -= e.cost;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The summed cost of what is held. */
  get cost(): number {
    return this.total;
  }
}
