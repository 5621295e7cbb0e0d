// A connection to an external address no DNS answer named: hard-coded IPs are how a build
// script reaches a server without leaving a name in DNS. When the build produced no DNS
// answers at all we may simply have missed them, so the finding is kept but marked low.

import type { Detector, Finding, Observation } from '../observation.js';
import { canonicalIp } from '../ip-text.js';
import { addressList, compileSpec, portList } from './spec-check.js';

export interface RawIpEgressSpec {
  /** DNS itself (to a resolver) is judged by the DNS detectors, not here. */
  ignorePorts: readonly number[];
  /** Addresses a pipeline legitimately reaches by number (canonical text). */
  allowAddresses: readonly string[];
}

export const RAW_IP_EGRESS_DEFAULTS: RawIpEgressSpec = { ignorePorts: [53], allowAddresses: [] };

export type RawIpEgressDetector = Detector<null> & { readonly spec: Readonly<RawIpEgressSpec> };

export function compileRawIpEgress(spec: Partial<RawIpEgressSpec> = {}): RawIpEgressDetector {
  const s = compileSpec('raw_ip_egress', RAW_IP_EGRESS_DEFAULTS, spec, { ignorePorts: portList, allowAddresses: addressList });
  const ignoredPorts = new Set(s.ignorePorts);
  const allowed = new Set(s.allowAddresses);
  return {
    kind: 'raw_ip_egress',
    spec: s,
    init: () => null,
    step(state: null, o: Observation) {
      if (o.kind !== 'connect' || !o.external || o.answeredNames.length > 0 || ignoredPorts.has(o.port)) {
        return { state, findings: [] };
      }
      const address = canonicalIp(o.address) ?? o.address;
      if (allowed.has(address)) return { state, findings: [] };
      const finding: Finding = {
        kind: 'raw_ip_egress', severity: o.answersObserved ? 'medium' : 'low',
        dedupeKey: `raw_ip_egress:${o.buildId}:${address}:${o.port}`,
        buildId: o.buildId, pid: o.process.pid, qname: null, domain: null, address,
        evidence: {
          address, port: o.port, protocol: o.protocol, family: o.family, answersObserved: o.answersObserved,
          exe: o.process.exe, buildScript: o.buildScript?.kind ?? null,
        },
      };
      return { state, findings: [finding] };
    },
  };
}
