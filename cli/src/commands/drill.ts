// `telltale drill`: the textbook attack, played harmlessly, to prove detection works and to
// measure time to detect. Exit 0 when it passed, 5 when it was not detected in time (or a
// control build raised an alert), so a team can run it on a schedule.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { one, UsageError, type FlagSpec, type ParsedFlags } from '../flags.js';
import type { CliIo } from '../io.js';

export const drillFlags: readonly FlagSpec[] = [
  { name: 'encoding', value: 'ENC', help: 'how the canary is encoded: base32 (default), base64url, hex' },
  { name: 'chunk', value: 'HOW', help: 'one (default: one query), labels:N (N characters a label), queries:N (N characters a query)' },
  { name: 'pace', value: 'MS', help: 'pause between queries, for a low-and-slow leak (default 0: a burst)' },
  { name: 'qtype', value: 'TYPE', help: 'A (default) or TXT' },
  { name: 'channel', value: 'CH', help: 'build-script (default: build.rs sends itself) or tool (build.rs spawns bash to send)' },
  { name: 'control', help: 'a benign control build instead: the same project without the typosquatted crate; passes when no alert is raised' },
  { name: 'max-ttd', value: 'MS', help: 'fail (exit 5) when the first alert comes later than this after the first leaking query (default 5000)' },
  { name: 'against', value: 'URL', help: 'drill against this collector (its HTTP URL), observed by the agent already on this host' },
  { name: 'control-socket', value: 'PATH', help: 'with --against: the local agent\'s control socket (default ./.telltale/agent.sock)' },
  { name: 'dns-port', value: 'N', help: 'with --against: a DNS port the local agent watches, for the drill DNS server on 127.0.0.1' },
  { name: 'data-dir', value: 'DIR', help: 'without --against: where the drill\'s own collector keeps its database and drill history (default ./.telltale/drill; view it with telltale server --data-dir DIR/collector)' },
  { name: 'guard', value: 'MODE', help: 'put the DNS guard (audit or enforce) between the build and the drill DNS server: the drill then passes only if the guard refused the leak (Limit)' },
  { name: 'console', help: 'also time the console: headless Chromium on the alert list until the leak shows (needs playwright-core and /usr/bin/chromium)' },
  { name: 'report', value: 'FILE', help: 'also write the drill report as JSON to FILE' },
  { name: 'json', help: 'print the report as JSON instead of the summary' },
];

const ENCODINGS = ['base32', 'base64url', 'hex'] as const;

function intFlag(flags: ParsedFlags, name: string, fallback: number, max: number): number {
  const text = one(flags, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`--${name} must be a whole number from 0 to ${max}`);
  return n;
}

export async function drillCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const encoding = one(flags, 'encoding') ?? 'base32';
  if (!(ENCODINGS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}`);
  const chunk = one(flags, 'chunk') ?? 'one';
  if (!/^(one|labels:([1-9]|[1-5]\d|6[0-3])|queries:[1-9]\d{0,2})$/.test(chunk)) throw new UsageError('--chunk must be one, labels:N (1-63) or queries:N (1-999)');
  const qtype = (one(flags, 'qtype') ?? 'A').toUpperCase();
  if (qtype !== 'A' && qtype !== 'TXT') throw new UsageError('--qtype must be A or TXT');
  const channel = one(flags, 'channel') ?? 'build-script';
  if (channel !== 'build-script' && channel !== 'tool') throw new UsageError('--channel must be build-script or tool');
  const against = one(flags, 'against');
  if (against !== undefined && !/^https?:\/\/[^\s/]+$/.test(against)) throw new UsageError('--against must be the collector\'s http(s)://host:port');
  const dnsPort = intFlag(flags, 'dns-port', 0, 65535);
  if (against !== undefined && dnsPort === 0) throw new UsageError('--against needs --dns-port: a DNS port the local agent watches (its --dns-port)');
  if (against !== undefined && against.startsWith('http://') && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(against) && io.env.TELLTALE_OPERATOR_TOKEN) {
    io.stderr('telltale drill: WARNING: the operator token goes to a non-loopback collector over plain http\n');
  }
  const guard = one(flags, 'guard');
  if (guard !== undefined && guard !== 'audit' && guard !== 'enforce') throw new UsageError('--guard must be audit or enforce');
  if (guard !== undefined && against !== undefined && !io.env.TELLTALE_OPERATOR_TOKEN) {
    throw new UsageError('--guard with --against needs TELLTALE_OPERATOR_TOKEN: the guard reads the baseline from the collector and reports to it');
  }
  const { runDrill } = await import('../drill/run-drill.js');
  const { formatDrill } = await import('../drill/drill-report.js');
  const report = await runDrill({
    variant: {
      encoding: encoding as (typeof ENCODINGS)[number], chunk, paceMs: intFlag(flags, 'pace', 0, 60_000), qtype, channel,
      control: flags.booleans.has('control'),
    },
    target: against === undefined ? undefined : {
      httpUrl: against, dnsPort, operatorToken: io.env.TELLTALE_OPERATOR_TOKEN,
      // Absolute: the build runs in drill/project, not here. Found as `telltale run` finds it.
      controlSocket: resolve(io.cwd, one(flags, 'control-socket') ?? io.env.TELLTALE_AGENT_SOCKET ?? join(io.env.TELLTALE_DATA_DIR ?? '.telltale', 'agent.sock')),
    },
    dataDir: resolve(io.cwd, one(flags, 'data-dir') ?? '.telltale/drill'),
    console: flags.booleans.has('console'),
    maxTtdMs: intFlag(flags, 'max-ttd', 5000, 600_000),
    // A paced leak keeps sending after the build script returns nothing; give late alerts time.
    settleMs: 1500,
    env: io.env,
    log: (line) => io.stderr(line + '\n'),
    ...(guard !== undefined ? { guard: guard as 'audit' | 'enforce' } : {}),
  });
  const file = one(flags, 'report');
  if (file) writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  io.stdout(flags.booleans.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatDrill(report));
  return report.passed ? 0 : 5;
}
