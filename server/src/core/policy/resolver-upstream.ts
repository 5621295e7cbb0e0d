// Where a generated resolver forwards the names it allows: the operator's `upstream` option,
// else the resolvers the builds themselves used (the baseline's port-53 destinations).

import { PolicyError } from './policy-error.js';
import type { PreparedPolicy } from './policy-input.js';
import type { Endpoint } from './policy-options.js';

export interface Upstreams {
  endpoints: readonly Endpoint[];
  /** How they were chosen, for the header. */
  source: string;
}

const isLoopback = (e: Endpoint) => (e.family === 4 ? e.address.startsWith('127.') : e.address === '::1');

export function resolverUpstreams(p: PreparedPolicy): Upstreams {
  const { listen } = p.opts;
  const same = (e: Endpoint) => e.address === listen.address && e.port === listen.port;
  if (p.opts.upstream) {
    const self = p.opts.upstream.find(same);
    if (self) throw new PolicyError('invalid_option', `upstream ${self.address} port ${self.port} is where this resolver listens: it would forward to itself`);
    return { endpoints: dedupe(p.opts.upstream), source: 'the upstream option' };
  }
  const fromBaseline = dedupe(p.destinations.filter((d) => d.port === 53).map((d) => ({ address: d.address, family: d.family, port: 53 }))).filter((e) => !same(e));
  if (fromBaseline.length === 0) {
    throw new PolicyError('missing_upstream', 'the baseline names no DNS resolver (no destination on port 53): pass upstream, the resolver(s) to forward allowed names to');
  }
  return { endpoints: fromBaseline, source: 'the resolvers the builds used (the baseline\'s port-53 destinations); pass upstream to choose' };
}

export function anyLoopback(u: Upstreams): boolean {
  return u.endpoints.some(isLoopback);
}

function dedupe(list: readonly Endpoint[]): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const e of list) seen.set(`${e.address}#${e.port}`, e);
  return [...seen.values()];
}
