// Hand-built observations for detector tests: a name in, the observation the ingest
// pipeline would build out, with every field overridable.

import type { ConnectObservation, DnsQueryObservation, ExecObservation, ProcessInfo } from '../observation.js';
import { splitName } from '../registrable-domain.js';
import { splitRenderedName } from '../dns-name-text.js';

export const BUILD = 'build-1';

export function proc(pid: number, exe: string, argv: string[] = [exe.slice(exe.lastIndexOf('/') + 1)]): ProcessInfo {
  return { pid, ppid: 1, exe, argv, cwd: '/src', startTimeUs: 0 };
}

const SCRIPT = proc(100, '/src/target/debug/build/leaky-1a2b/build-script-build');

function base(timeUs: number, process: ProcessInfo) {
  return {
    timeUs, buildId: BUILD, pipeline: 'ci', process, chain: [proc(1, '/usr/bin/cargo'), SCRIPT, process],
    buildScript: { kind: 'cargo_build_script' as const, process: SCRIPT },
  };
}

export function dnsQuery(name: string, over: Partial<DnsQueryObservation> = {}): DnsQueryObservation {
  const split = splitName(name, { partial: over.partial ?? false });
  return {
    ...base(over.timeUs ?? 1_000_000, proc(101, '/src/target/debug/build/leaky-1a2b/build-script-build')),
    kind: 'dns_query', qname: name.toLowerCase(), qnameRaw: name, labels: splitRenderedName(name), qtype: 'A',
    domain: split.domain, subdomainLabels: split.subdomainLabels, partial: false, serverAddress: '127.0.0.53',
    serverPort: 53, baselineKnows: false, baselineLearning: false, ...over,
  };
}

export function connect(address: string, port: number, over: Partial<ConnectObservation> = {}): ConnectObservation {
  return {
    ...base(over.timeUs ?? 1_000_000, proc(102, '/usr/bin/curl')),
    kind: 'connect', family: address.includes(':') ? 'inet6' : 'inet', protocol: 'tcp', address, port,
    external: true, answeredNames: [], answersObserved: true, ...over,
  };
}

export function exec(exe: string, argv: string[], over: Partial<ExecObservation> = {}): ExecObservation {
  return { ...base(over.timeUs ?? 1_000_000, proc(over.process?.pid ?? 200, exe, argv)), kind: 'exec', ...over };
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, no padding: how DNS exfiltration tools usually encode. */
export function base32(text: string): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of new TextEncoder().encode(text)) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += B32[(value >>> (bits - 5)) & 31];
  }
  return bits > 0 ? out + B32[(value << (5 - bits)) & 31] : out;
}

/** Cut `text` into labels of at most `size` characters. */
export function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The AWS documentation's example secret key: 40 bytes, safe to leak in tests. */
export const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
