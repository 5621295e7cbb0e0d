// Builders of normalized events for server tests: a build, its processes, DNS packets.
import type { BuildContext, TelltaleEvent } from '@telltale/proto';

export function dnsPacket(name: string, opts: { id?: number; qtype?: number; response?: boolean; answers?: { name: string; address: string }[] } = {}): Uint8Array {
  const id = opts.id ?? 0x1234;
  const answers = opts.answers ?? [];
  const header = [id >> 8, id & 0xff, opts.response ? 0x81 : 0x01, opts.response ? 0x80 : 0x00, 0, 1, 0, answers.length, 0, 0, 0, 0];
  const encodeName = (n: string) => [...n.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]), 0];
  const qtype = opts.qtype ?? 1;
  const bytes = [...header, ...encodeName(name), qtype >> 8, qtype & 0xff, 0, 1];
  for (const a of answers) {
    const octets = a.address.split('.').map(Number);
    bytes.push(...encodeName(a.name), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...octets);
  }
  return Uint8Array.from(bytes);
}

export class BuildScript {
  private t = 1_700_000_000_000_000;
  readonly events: TelltaleEvent[] = [];
  readonly context: BuildContext;

  constructor(readonly buildId: string, pipeline: string, readonly rootPid = 100, startUs?: number) {
    if (startUs !== undefined) this.t = startUs;
    this.context = { buildId, pipeline, runId: '1', job: 'build', repo: 'acme/app', commit: 'c0ffee', agentHost: 'host', ciProvider: 'local' };
    this.events.push({ kind: 'build_start', timeUs: this.tick(), buildId, context: this.context, rootPid });
    this.exec(rootPid, 1, '/usr/bin/node', ['node', 'telltale', 'run']);
  }

  tick(): number {
    this.t += 1000;
    return this.t;
  }

  exec(pid: number, ppid: number, exe: string, argv: string[]): this {
    this.events.push({ kind: 'exec', timeUs: this.tick(), buildId: this.buildId, pid, ppid, exe, argv, cwd: '/src', uid: 1000, startTimeUs: this.t, argvTruncated: false });
    return this;
  }

  dns(pid: number, name: string, opts: Parameters<typeof dnsPacket>[1] = {}): this {
    const packet = dnsPacket(name, opts);
    this.events.push({ kind: 'dns', timeUs: this.tick(), buildId: this.buildId, pid, packet, packetLength: packet.length, family: 'inet', protocol: 'udp',
      address: '127.0.0.53', port: 53, response: opts.response ?? false });
    return this;
  }

  rawDns(pid: number, packet: Uint8Array, packetLength = packet.length): this {
    this.events.push({ kind: 'dns', timeUs: this.tick(), buildId: this.buildId, pid, packet, packetLength, family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53, response: false });
    return this;
  }

  connect(pid: number, address: string, port: number): this {
    this.events.push({ kind: 'connect', timeUs: this.tick(), buildId: this.buildId, pid, family: 'inet', protocol: 'tcp', address, port });
    return this;
  }

  end(exitCode = 0): this {
    this.events.push({ kind: 'build_end', timeUs: this.tick(), buildId: this.buildId, exitCode });
    return this;
  }

  /** root → cargo → build-script-build, as a cargo build starts a dependency's build script. */
  cargoBuildScript(cargoPid = this.rootPid + 1, scriptPid = this.rootPid + 2): this {
    this.exec(cargoPid, this.rootPid, '/root/.cargo/bin/cargo', ['cargo', 'build', '--offline']);
    return this.exec(scriptPid, cargoPid, '/src/target/debug/build/url-parsr-0a1b2c3d/build-script-build', ['/src/target/debug/build/url-parsr-0a1b2c3d/build-script-build']);
  }
}

export const base32 = (data: string): string => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of Buffer.from(data)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
};
