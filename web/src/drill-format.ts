// How a drill reads in the console: its variant in one line, and which defence layers acted.
import type { DrillRecord } from './api-types';

/** "base32 · labels:3 · burst · A · build-script", or "control" for a build that leaks nothing. */
export function drillVariantText(v: DrillRecord['variant']): string {
  if (v.control) return 'control';
  return [v.encoding, v.chunk, v.paceMs > 0 ? `paced ${v.paceMs} ms` : 'burst', v.qtype, v.channel].join(' · ');
}

export interface DrillLayer {
  label: string;
  /** yes: the layer acted; no: it should have and did not; off: not configured or not applicable. */
  state: 'yes' | 'no' | 'off';
}

/** The layers in the order a leak meets them: it got out, it was readable, telltale exposed it, Limit. */
export function drillLayers(d: DrillRecord): DrillLayer[] {
  const l = d.layers;
  // blocked: the DNS guard refused the leak and none of it got past; leaked: some got past it.
  const limit: DrillLayer = l.limit === 'not_configured'
    ? { label: 'Limit not configured', state: 'off' }
    : l.limit === 'blocked'
      ? { label: 'Limit: blocked by the DNS guard', state: 'yes' }
      : { label: `Limit: ${l.limit === 'leaked' ? 'the leak got past the DNS guard' : l.limit.replace(/_/g, ' ')}`, state: 'no' };
  if (d.variant.control) {
    // Nothing leaked: the only question is whether anything was flagged anyway.
    return [d.detectors.length ? { label: `flagged by ${d.detectors.join(', ')}`, state: 'no' } : { label: 'nothing flagged', state: 'yes' }];
  }
  return [
    { label: l.canaryReachedServer ? 'canary reached the drill server' : 'canary never reached the drill server', state: l.canaryReachedServer ? 'yes' : 'off' },
    { label: l.canaryReconstructed ? 'canary rebuilt from the queries' : 'canary not rebuilt', state: l.canaryReconstructed ? 'yes' : 'off' },
    l.exposed
      ? { label: `Expose: detected${d.detectors.length ? ` by ${d.detectors.join(', ')}` : ''}`, state: 'yes' }
      : { label: 'Expose: not detected', state: 'no' },
    limit,
  ];
}

/** Whether the alert named the typosquatted crate; null where there was no alert to ask. */
export function drillNamesCrate(d: DrillRecord): boolean | null {
  return d.variant.control || !d.detected ? null : d.chainNamesCrate;
}
