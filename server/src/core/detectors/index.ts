// Compiles every detector from one configuration object, keyed by the alert kind each
// raises. Bad settings (including an unknown kind) throw DETECTOR_SPEC_INVALID at start-up.

import type { AlertKind, Detector } from '../observation.js';
import { ServerError } from '../errors.js';
import { compileFirstSeenDomain, type FirstSeenDomainSpec } from './first-seen-domain.js';
import { compileEncodedDnsLabel, type EncodedDnsLabelSpec } from './encoded-dns-label.js';
import { compileDnsTunnelVolume, type DnsTunnelVolumeSpec } from './dns-tunnel-volume.js';
import { compileRawIpEgress, type RawIpEgressSpec } from './raw-ip-egress.js';
import { compileDohEndpoint, type DohEndpointSpec } from './doh-endpoint.js';
import { compileUnexpectedTool, type UnexpectedToolSpec } from './unexpected-tool.js';

export interface DetectorsConfig {
  first_seen_domain?: Partial<FirstSeenDomainSpec>;
  encoded_dns_label?: Partial<EncodedDnsLabelSpec>;
  dns_tunnel_volume?: Partial<DnsTunnelVolumeSpec>;
  raw_ip_egress?: Partial<RawIpEgressSpec>;
  doh_endpoint?: Partial<DohEndpointSpec>;
  unexpected_tool?: Partial<UnexpectedToolSpec>;
}

/** A compiled detector with the complete, frozen spec it runs with (for display and audit). */
export type CompiledDetector = Detector & { readonly spec: Readonly<object> };

const KINDS: readonly AlertKind[] = [
  'first_seen_domain', 'encoded_dns_label', 'dns_tunnel_volume', 'raw_ip_egress', 'doh_endpoint', 'unexpected_tool',
];

export function compileDetectors(config: DetectorsConfig = {}): CompiledDetector[] {
  for (const key of Object.keys(config)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      throw new ServerError('DETECTOR_SPEC_INVALID', `unknown detector "${key}"`, { detector: key });
    }
  }
  const detectors: CompiledDetector[] = [
    compileFirstSeenDomain(config.first_seen_domain),
    compileEncodedDnsLabel(config.encoded_dns_label),
    compileDnsTunnelVolume(config.dns_tunnel_volume),
    compileRawIpEgress(config.raw_ip_egress),
    compileDohEndpoint(config.doh_endpoint),
    compileUnexpectedTool(config.unexpected_tool),
  ];
  return detectors;
}

export { compileFirstSeenDomain, compileEncodedDnsLabel, compileDnsTunnelVolume, compileRawIpEgress, compileDohEndpoint, compileUnexpectedTool };
export type { FirstSeenDomainSpec, EncodedDnsLabelSpec, DnsTunnelVolumeSpec, RawIpEgressSpec, DohEndpointSpec, UnexpectedToolSpec };
