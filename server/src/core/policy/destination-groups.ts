// Destinations grouped for formats that match "address in set AND port in set": ports that
// share exactly the same addresses go together, so each group allows exactly its pairs.

import type { Destination } from './policy-input.js';

export interface PortGroup {
  ports: readonly number[];
  /** Destinations' addresses in baseline order (family, then numeric). */
  addresses: readonly Destination[];
  /** True when the group is a merge of several: any of its addresses on any of its ports. */
  loose: boolean;
}

/** Groups one protocol's destinations by port, merging ports with identical address sets. */
export function groupByPort(destinations: readonly Destination[]): PortGroup[] {
  const byPort = new Map<number, Destination[]>();
  for (const d of destinations) byPort.set(d.port, [...(byPort.get(d.port) ?? []), d]);
  const byAddresses = new Map<string, { ports: number[]; addresses: Destination[] }>();
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const addresses = byPort.get(port)!;
    const key = addresses.map((d) => d.address).join(' ');
    const group = byAddresses.get(key);
    if (group) group.ports.push(port);
    else byAddresses.set(key, { ports: [port], addresses });
  }
  return [...byAddresses.values()].map((g) => ({ ...g, loose: false }));
}

/**
 * At most `max` groups: the largest stay exact, the rest are merged into one loose group
 * (their addresses times their ports). Order is deterministic: by size, then first port.
 */
export function fitGroups(groups: readonly PortGroup[], max: number): PortGroup[] {
  if (groups.length <= max) return [...groups];
  const bySize = [...groups].sort((a, b) =>
    b.addresses.length * b.ports.length - a.addresses.length * a.ports.length || a.ports[0]! - b.ports[0]!);
  const exact = bySize.slice(0, max - 1).sort((a, b) => a.ports[0]! - b.ports[0]!);
  const rest = bySize.slice(max - 1);
  const ports = [...new Set(rest.flatMap((g) => g.ports))].sort((a, b) => a - b);
  const seen = new Map<string, Destination>();
  for (const d of rest.flatMap((g) => g.addresses)) seen.set(d.address, d);
  const addresses = [...seen.values()].sort((a, b) => a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return [...exact, { ports, addresses, loose: true }];
}
