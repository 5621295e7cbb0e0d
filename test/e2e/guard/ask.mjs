// Asks 127.0.0.1:PORT for each NAME (type A, over UDP, one at a time) and prints one JSON line
// per answer: {name, rcode}, or {name, rcode: null} when none came within 3 s. The process a
// guarded build runs: its queries are what the agent sees and the guard judges.
import dgram from 'node:dgram';

const [port, ...names] = process.argv.slice(2);
const socket = dgram.createSocket('udp4');
for (const [i, name] of names.entries()) {
  const id = (0x4000 + i) & 0xffff;
  const parts = [Buffer.from([id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name.split('.')) parts.push(Buffer.from([l.length]), Buffer.from(l));
  parts.push(Buffer.from([0, 0, 1, 0, 1]));
  const rcode = await new Promise((resolve) => {
    const timer = setTimeout(() => { socket.off('message', onMessage); resolve(null); }, 3000);
    const onMessage = (msg) => {
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(msg[3] & 0x0f);
    };
    socket.on('message', onMessage);
    socket.send(Buffer.concat(parts), Number(port), '127.0.0.1');
  });
  process.stdout.write(JSON.stringify({ name, rcode }) + '\n');
}
socket.close();
