// Which names DNS answers gave for an address, host-wide and bounded (oldest out first):
// a connect to an address no answer named is raw-IP egress.

export class AnswerCache {
  private readonly byAddress = new Map<string, string[]>();

  constructor(private readonly capacity: number) {}

  add(address: string, name: string): void {
    const names = this.byAddress.get(address);
    if (names) {
      if (!names.includes(name) && names.length < 16) names.push(name);
      // Refresh recency: Map iteration order is insertion order.
      this.byAddress.delete(address);
      this.byAddress.set(address, names);
      return;
    }
    if (this.byAddress.size >= this.capacity) {
      const oldest = this.byAddress.keys().next();
      if (!oldest.done) this.byAddress.delete(oldest.value);
    }
    this.byAddress.set(address, [name]);
  }

  namesFor(address: string): string[] {
    return this.byAddress.get(address) ?? [];
  }
}
