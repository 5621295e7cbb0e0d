// Synthetic but realistic build event streams for the benchmarks: execs with argv, DNS
// queries as real wire packets, connects, in batches as an agent sends them.
import { encodeBatch } from '@telltale/proto';

export function dnsQueryPacket(name, id = 0x1234, qtype = 1) {
  const labels = name.split('.');
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'));
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]));
  return new Uint8Array(Buffer.concat(parts));
}

const hosts = ['index.crates.io', 'static.crates.io', 'github.com', 'objects.githubusercontent.com', 'registry.npmjs.org', 'pypi.org', 'files.pythonhosted.org', 'proxy.golang.org'];

/** One build's worth of events: start, then a mix, `count` events in all. */
export function buildEvents(buildId, count, startUs, pipeline = 'bench/ingest') {
  const events = [{
    kind: 'build_start', timeUs: startUs, buildId, rootPid: 1000,
    context: { buildId, pipeline, runId: '1', job: 'build', repo: 'acme/app', commit: 'c0ffee', agentHost: 'bench', ciProvider: 'local' },
  }];
  let pid = 1000;
  for (let i = 1; i < count; i++) {
    const t = startUs + i * 10;
    const r = i % 10;
    if (r < 4) {
      pid++;
      events.push({ kind: 'exec', timeUs: t, buildId, pid, ppid: pid - 1 > 1000 ? 1000 + ((pid * 7) % (pid - 1000)) : 1000, exe: '/usr/bin/rustc',
        argv: ['rustc', '--crate-name', `crate_${i}`, '--edition=2021', 'src/lib.rs', '--crate-type', 'lib', '-C', 'opt-level=0'],
        cwd: '/work/app', uid: 1000, startTimeUs: t, argvTruncated: false });
    } else if (r < 6) {
      events.push({ kind: 'exit', timeUs: t, buildId, pid, exitCode: 0, signal: 0 });
    } else if (r < 9) {
      events.push({ kind: 'dns', timeUs: t, buildId, pid, packet: dnsQueryPacket(hosts[i % hosts.length], i & 0xffff), packetLength: 0,
        family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false });
    } else {
      events.push({ kind: 'connect', timeUs: t, buildId, pid, family: 'inet', protocol: 'tcp', address: '10.0.0.5', port: 443 });
    }
  }
  for (const e of events) if (e.kind === 'dns') e.packetLength = e.packet.length;
  return events;
}

export function toBatches(agentId, events, size, firstSequence = 1) {
  const out = [];
  for (let i = 0; i < events.length; i += size) {
    out.push(encodeBatch({ agentId, sequence: firstSequence + out.length, events: events.slice(i, i + size) }));
  }
  return out;
}
