// `telltale`: one CLI for the collector, the agent, tracked builds and offline analysis.
// createCli never exits the process; bin/telltale.js does, with the code it returns.
import { helpText, parseFlags, UsageError, type FlagSpec } from './flags.js';
import type { CliIo } from './io.js';
import { serverCommand, serverFlags } from './commands/server.js';
import { agentCommand, agentFlags } from './commands/agent.js';
import { upCommand, upFlags } from './commands/up.js';
import { runCommand, runFlags } from './commands/run.js';
import { analyzeCommand, analyzeFlags } from './commands/analyze.js';
import { drillCommand, drillFlags } from './commands/drill.js';
import { guardCommand, guardFlags } from './commands/guard.js';
import { policyCommand, policyFlags } from './commands/policy.js';

interface Command {
  summary: string;
  usage: string;
  flags: readonly FlagSpec[];
  positional?: boolean;
  run(flags: ReturnType<typeof parseFlags>, io: CliIo): Promise<number>;
}

const commands: Record<string, Command> = {
  up: { summary: 'Run the collector, API and (with bpftrace and root) a local agent on embedded defaults.', usage: 'telltale up [options]', flags: upFlags, run: upCommand },
  server: { summary: 'Run the collector: gRPC ingest, detectors, SQLite store, HTTP API and WebSocket stream.', usage: 'telltale server [options]', flags: serverFlags, run: serverCommand },
  agent: { summary: 'Run the build agent: bpftrace, Tetragon or Falco events, build context, spool and forwarding to the collector.', usage: 'telltale agent [options]', flags: agentFlags, run: agentCommand },
  run: { summary: 'Run a command as a tracked build; print its alerts at the end.', usage: 'telltale run [options] -- CMD [ARG...]', flags: runFlags, positional: true, run: runCommand },
  drill: { summary: 'Play the textbook build-time DNS leak harmlessly and measure time to detect (exit 5 when not caught in time).', usage: 'telltale drill [options]', flags: drillFlags, run: drillCommand },
  policy: { summary: 'Export a pipeline\'s baseline as a policy: Tetragon, Falco, unbound, dnsmasq, nftables, the DNS guard\'s allowlist, CI snippets.', usage: 'telltale policy export --pipeline P --format F [options]', flags: policyFlags, positional: true, run: policyCommand },
  guard: { summary: 'Run a DNS forwarder for build hosts that refuses names carrying encoded data (and, enforcing, names outside the baseline) and reports them.', usage: 'telltale guard --upstream ADDR:PORT [options]', flags: guardFlags, run: guardCommand },
  analyze: { summary: 'Run the detectors over a captured event stream and print alerts as JSON lines.', usage: 'telltale analyze --format bpftrace|tetragon|falco FILE|-', flags: analyzeFlags, positional: true, run: analyzeCommand },
};

function topHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `telltale: catches build scripts that leak secrets over DNS\n\nUsage: telltale <command> [options]\n\nCommands:\n${
    Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')
  }\n\nRun 'telltale <command> --help' for a command's options.\n`;
}

export async function createCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topHelp());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`telltale: unknown command "${name}"\n\n${topHelp()}`);
    return 2;
  }
  const helpIndex = rest.indexOf('--');
  const own = helpIndex >= 0 ? rest.slice(0, helpIndex) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    io.stdout(helpText(command.usage, command.summary, command.flags));
    return 0;
  }
  let flags;
  try {
    flags = parseFlags(rest, command.flags, command.positional ?? false);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`telltale ${name}: ${err.message}\n\n${helpText(command.usage, command.summary, command.flags)}`);
      return 2;
    }
    throw err;
  }
  try {
    return await command.run(flags, io);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'CONFIG_INVALID' || e.code === 'DETECTOR_SPEC_INVALID' || e instanceof UsageError) {
      io.stderr(`telltale ${name}: ${e.message}\n`);
      return 2;
    }
    io.stderr(`telltale ${name}: ${e.message}\n`);
    return 1;
  }
}
