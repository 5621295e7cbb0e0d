// `telltale guard`: a DNS forwarder for a build host (resolv.conf → guard) that never lets a
// name carrying encoded data leave, even in audit mode, and reports new names. Enforce
// mode refuses names outside the pipeline's baseline once that baseline is ready.
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { many, one, type FlagSpec, type ParsedFlags } from '../flags.js';
import { waitForAbort, type CliIo } from '../io.js';

export const guardFlags: readonly FlagSpec[] = [
  { name: 'listen', value: 'ADDR:PORT', repeatable: true, help: 'where build hosts send DNS, UDP and TCP (default 127.0.0.1:53; IPv6 as [::1]:53)' },
  { name: 'upstream', value: 'ADDR:PORT', repeatable: true, help: 'the resolver to forward to, an IP address (required; more than one: tried in order on failure)' },
  { name: 'mode', value: 'MODE', help: 'audit (default: new names forwarded and reported) or enforce (new names refused; needs a ready baseline, else the guard audits and says so). Names carrying encoded data are refused in both' },
  { name: 'pipeline', value: 'NAME', help: 'the pipeline whose baseline is the allowlist and whose verdicts these are (required with --collector)' },
  { name: 'collector', value: 'URL', help: 'the collector (http(s)://host:port): allowlist fetched every 30 s, verdicts reported (needs the operator token)' },
  { name: 'allowlist', value: 'FILE', help: 'read the allowlist from FILE instead (telltale policy export --format guard), re-read every 30 s' },
  { name: 'token-file', value: 'FILE', help: 'file holding the operator token (default: env TELLTALE_OPERATOR_TOKEN)' },
  { name: 'name', value: 'NAME', help: 'this guard\'s name in its reports (default: the host name)' },
  { name: 'metrics', value: 'ADDR:PORT', help: 'serve Prometheus text at http://ADDR:PORT/metrics' },
  { name: 'detectors', value: 'FILE', help: 'JSON detector settings as the collector takes them; the guard uses encoded_dns_label\'s' },
];

const hostPort = (a: { host: string; port: number }) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

export async function guardCommand(flags: ParsedFlags, io: CliIo): Promise<number> {
  const { guardConfig, startGuardDaemon, createLogger, guardMetricsText } = await import('@telltale/server');
  const config = guardConfig({
    listen: many(flags, 'listen'), upstream: many(flags, 'upstream'), mode: one(flags, 'mode'), pipeline: one(flags, 'pipeline'),
    collector: one(flags, 'collector'), allowlist: one(flags, 'allowlist'), tokenFile: one(flags, 'token-file'), name: one(flags, 'name'),
    metrics: one(flags, 'metrics'), detectors: one(flags, 'detectors'),
  }, io.env, { readText: (p) => readFileSync(p, 'utf8'), hostname });
  if (config.collector?.startsWith('http://') && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(config.collector)) {
    io.stderr('telltale guard: WARNING: the operator token goes to a non-loopback collector over plain http\n');
  }
  const log = createLogger('guard', io.stderr);
  const guard = await startGuardDaemon(config, log);
  const list = guard.allowlist;
  io.stdout(`telltale guard ready: DNS on ${guard.addresses.map(hostPort).join(', ')} (UDP and TCP), forwarding to ${config.upstreams.map(hostPort).join(', ')}\n`);
  io.stdout(`telltale guard: mode ${guard.mode}${guard.modeReason ? ` (${guard.modeReason})` : ''}; allowlist ${list ? `${list.pipeline} v${list.version} ${list.readiness}, ${list.names.length} names, ${list.domains.length} domains` : 'none yet'}; names carrying encoded data are refused\n`);
  if (guard.metricsPort !== null) io.stdout(`telltale guard: metrics at http://${hostPort({ host: config.metrics!.host, port: guard.metricsPort })}/metrics\n`);
  await waitForAbort(io.signal);
  await guard.close();
  io.stderr(guardMetricsText(guard.counters).split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.endsWith(' 0')).map((l) => `telltale guard: ${l}\n`).join(''));
  return 0;
}
