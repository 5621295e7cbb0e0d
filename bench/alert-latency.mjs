// Alert latency: a paced stream at 5,000 events/s through gRPC with a leaking DNS query
// injected every 100 ms; latency is from the batch leaving the client to the alert arriving
// on the WebSocket. Reference: the WebSocket round trip of the same collector (ping/pong).
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeBatch } from '@telltale/proto';
import { buildEvents, dnsQueryPacket } from './stream.mjs';
import { connect, openStream } from './ingest-client.mjs';
import { startCollectorProcess } from './procs.mjs';

const RATE = 5000;
const TICK_MS = 10;
const SECONDS = 12;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const randomBase32 = (n) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('');

export async function alertLatency(dir, line) {
  const collector = await startCollectorProcess(join(dir, 'latency'));
  const ws = new WebSocket(collector.httpUrl.replace('http', 'ws') + '/api/stream');
  await new Promise((r) => ws.once('open', r));
  const sentAt = new Map();
  const latencies = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type !== 'alert' || m.alert.kind !== 'encoded_dns_label') return;
    const t = sentAt.get(m.alert.qname);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  // Reference: the collector's WebSocket round trip with no ingest at all.
  const pings = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await new Promise((r) => { ws.once('pong', r); ws.ping(); });
    pings.push(performance.now() - t);
  }

  const client = connect(collector.grpcAddress);
  const stream = openStream(client);
  const perTick = (RATE * TICK_MS) / 1000;
  const buildId = 'latency-build';
  const background = buildEvents(buildId, RATE * SECONDS + 1, Date.now() * 1000, 'bench/latency');
  let seq = 1;
  stream.write(encodeBatch({ agentId: 'latency-agent', sequence: seq++, events: [background[0]] }));
  let cursor = 1;
  const started = performance.now();
  for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
    const events = background.slice(cursor, cursor + perTick);
    cursor += perTick;
    let qname = null;
    if (tick % 10 === 5) {
      qname = `${randomBase32(40)}.leak${tick}.test`;
      events[events.length - 1] = { kind: 'dns', timeUs: Date.now() * 1000, buildId, pid: 1000, packet: dnsQueryPacket(qname), packetLength: 0,
        family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false };
      events[events.length - 1].packetLength = events[events.length - 1].packet.length;
    }
    const bytes = encodeBatch({ agentId: 'latency-agent', sequence: seq++, events });
    if (qname) sentAt.set(qname, performance.now());
    stream.write(bytes);
    const wait = started + (tick + 1) * TICK_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const achievedRate = (cursor - 1) / ((performance.now() - started) / 1000);
  await new Promise((r) => setTimeout(r, 1000));
  stream.end();
  client.close();
  ws.close();
  await collector.stop();
  latencies.sort((a, b) => a - b);
  pings.sort((a, b) => a - b);
  line('alert_latency_load_rate', Math.round(achievedRate), 'events/s');
  line('alert_latency_alerts_measured', `${latencies.length}/${sentAt.size}`, 'alerts');
  line('alert_latency_p50', pct(latencies, 50)?.toFixed(2), 'ms');
  line('alert_latency_p99', pct(latencies, 99)?.toFixed(2), 'ms (target <= 50)');
  line('websocket_roundtrip_p50', pct(pings, 50).toFixed(2), 'ms (reference)');
}
