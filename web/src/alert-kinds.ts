// The alert kinds the collector raises, each with a name a person reads; unknown kinds show as they are.

const LABELS: Record<string, string> = {
  encoded_dns_label: 'data encoded in DNS names',
  secret_leak: 'secret leaked',
  first_seen_domain: 'domain new to the pipeline',
  dns_tunnel_volume: 'DNS tunnel volume',
  doh_endpoint: 'DNS over HTTPS/TLS resolver',
  raw_ip_egress: 'connection to an unresolved IP',
  unexpected_tool: 'unexpected tool in a build script',
  dns_guard_block: 'refused by the DNS guard',
  typosquat_package: 'look-alike package',
};

/** Offered in the alerts filter even before any alert of the kind has been seen. */
export const ALERT_KINDS: readonly string[] = Object.keys(LABELS);

export function alertKindLabel(kind: string): string {
  return Object.hasOwn(LABELS, kind) ? LABELS[kind]! : kind;
}
