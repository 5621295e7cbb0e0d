// A build stand-in that makes a known number of events over a few seconds: DNS queries
// with distinct names to the test's DNS server, and short-lived child processes.
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';

const [port, queries, children, spanMs] = process.argv.slice(2).map(Number);
const socket = dgram.createSocket('udp4');
const packet = (name, id) => {
  const parts = [Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  return Buffer.concat(parts);
};
const steps = Math.max(queries, children);
for (let i = 0; i < steps; i++) {
  if (i < queries) await new Promise((r) => socket.send(packet(`q${i}.outage.test`, i + 1), port, '127.0.0.1', r));
  if (i < children) spawnSync('/bin/true');
  await new Promise((r) => setTimeout(r, spanMs / steps));
}
socket.close();
