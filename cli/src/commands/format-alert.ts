// Human-readable one-alert block for terminals. Names come from monitored builds: control
// characters are escaped so an attacker-chosen qname cannot rewrite the terminal.
import type { AlertSummary } from '@telltale/proto';

export const safe = (s: string, max = 200): string => {
  const escaped = s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
};

export function formatAlert(a: AlertSummary): string {
  const target = a.qname ?? a.address ?? a.domain ?? '';
  const chain = a.chain.map((p) => `${safe(p.exe.split('/').pop() ?? p.exe, 60)}(${p.pid})`).join(' → ');
  return `  [${a.severity}] ${a.kind} ${safe(target)}${a.domain ? ` (domain ${safe(a.domain)})` : ''}\n    chain: ${chain}\n`;
}
