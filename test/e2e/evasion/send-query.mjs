// Sends one DNS query for NAME to 127.0.0.1:PORT over udp or tcp (length-prefixed), after
// an optional delay: the leaking step of the evasion scenarios.
import dgram from 'node:dgram';
import net from 'node:net';

const [transport, port, name, delayMs = '0'] = process.argv.slice(2);
const parts = [Buffer.from([0x43, 0x21, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
parts.push(Buffer.from([0, 0, 1, 0, 1]));
const query = Buffer.concat(parts);
await new Promise((r) => setTimeout(r, Number(delayMs)));
if (transport === 'tcp') {
  await new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.end(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]));
    });
    s.on('close', resolve);
    s.on('error', reject);
  });
} else {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.send(query, Number(port), '127.0.0.1', r));
  s.close();
}
