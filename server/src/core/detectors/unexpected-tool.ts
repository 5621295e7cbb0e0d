// A build script starting a network or shell tool it has no business with: compilers,
// linkers and pkg-config are what build scripts run; curl, nc or `sh -c '... | base64'`
// are how payloads fetch a stage two or push a secret out. Judged by the basename of the
// executable and of argv[0] (busybox and symlinks make either one lie alone).

import type { Detector, ExecObservation, Finding, Observation, Severity } from '../observation.js';
import { compileSpec, nameList } from './spec-check.js';

export interface UnexpectedToolSpec {
  /** Tool basenames never reported (for a pipeline that really does fetch with curl). */
  allowTools: readonly string[];
}

export const UNEXPECTED_TOOL_DEFAULTS: UnexpectedToolSpec = { allowTools: [] };

/** Network clients and DNS tools, with Debian's nc.openbsd / nc.traditional variants. */
const NETWORK_TOOL = /^(curl|wget|nc|ncat|netcat|socat|dig|kdig|nslookup|host|drill|delv|ssh|scp|sftp|ftp|tftp|telnet|rsh|aria2c)(\.[a-z]+)?$/;
const INTERPRETER = /^(python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|node|php[0-9.]*)$/;
const SHELL = /^(sh|bash|dash|zsh|ash|ksh|mksh|busybox)$/;
/** Inline code flags: python -c, perl -e/-E, ruby -e, node -e/-p, php -r; shells -c (also clustered, -ec). */
const INTERPRETER_CODE_FLAG = /^-(c|e|E|p|r|-eval|-print)$/;
const SHELL_CODE_FLAG = /^-[a-zA-Z]*c[a-zA-Z]*$/;
const NETWORK_CODE = /socket|urllib|http\.client|requests\.|httpx|Net::|IO::Socket|LWP|Net::HTTP|open-uri|dns\.resolver|getaddrinfo|gethostbyname|fetch\(|https?:\/\/|require\(['"](https?|net|dgram|dns)['"]\)/;
const SUSPICIOUS_SHELL = /\bbase64\b|\bcurl\b|\bwget\b|\/dev\/(tcp|udp)\/|\bnc\b|\bncat\b|\bsocat\b|\bnslookup\b|\bdig\b|\bxxd\b|\bopenssl\s+(enc|s_client)\b|\btelnet\b/;

export type UnexpectedToolDetector = Detector<null> & { readonly spec: Readonly<UnexpectedToolSpec> };

interface Verdict {
  tool: string;
  reason: 'network_tool' | 'inline_network_code' | 'shell_suspicious';
  severity: Severity;
  matched: string;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

function judge(exe: string, argv: readonly string[]): Verdict | null {
  const names = [...new Set([baseName(exe), baseName(argv[0] ?? '')])].filter((n) => n !== '');
  // busybox runs the applet named by argv[0], or by argv[1] when called as busybox.
  const applet = names.includes('busybox') && argv[0] !== undefined && baseName(argv[0]) === 'busybox' ? argv[1] : undefined;
  for (const name of applet === undefined ? names : [...names, applet]) {
    if (NETWORK_TOOL.test(name)) return { tool: name, reason: 'network_tool', severity: 'high', matched: name };
  }
  for (const name of names) {
    const script = INTERPRETER.test(name) ? inlineCode(argv, INTERPRETER_CODE_FLAG) : null;
    if (script !== null) {
      const hit = NETWORK_CODE.exec(script);
      if (hit) return { tool: name, reason: 'inline_network_code', severity: 'high', matched: hit[0] };
    }
    const command = SHELL.test(name) ? shellCommand(argv) : null;
    if (command !== null) {
      const hit = SUSPICIOUS_SHELL.exec(command);
      if (hit) return { tool: name, reason: 'shell_suspicious', severity: 'medium', matched: hit[0].trim() };
    }
  }
  return null;
}

/** Shell options that take the next argument as their value. */
const SHELL_OPTION_VALUE = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

/**
 * A shell's `-c` command. Options end at the first operand: `sh wrapper.sh -lc …` (a linker
 * wrapper script, as rustc and cc run them) passes `-lc` to the script, it is no command.
 */
function shellCommand(argv: readonly string[]): string | null {
  for (let i = baseName(argv[0] ?? '') === 'busybox' ? 2 : 1; i < argv.length - 1; i++) {
    const arg = argv[i] as string;
    if (SHELL_CODE_FLAG.test(arg)) return argv.slice(i + 1).join(' ');
    if (SHELL_OPTION_VALUE.has(arg)) i++;
    else if (arg === '--' || !(arg.startsWith('-') || arg.startsWith('+'))) return null;
  }
  return null;
}

/** The code passed inline after a flag matching `flag`, if any. */
function inlineCode(argv: readonly string[], flag: RegExp): string | null {
  for (let i = 1; i < argv.length - 1; i++) {
    if (flag.test(argv[i] as string)) return argv.slice(i + 1).join(' ');
  }
  return null;
}

export function compileUnexpectedTool(spec: Partial<UnexpectedToolSpec> = {}): UnexpectedToolDetector {
  const s = compileSpec('unexpected_tool', UNEXPECTED_TOOL_DEFAULTS, spec, { allowTools: nameList });
  const allowed = new Set(s.allowTools);

  function report(o: ExecObservation, v: Verdict): Finding {
    return {
      kind: 'unexpected_tool', severity: v.severity, dedupeKey: `unexpected_tool:${o.buildId}:${o.process.pid}`,
      buildId: o.buildId, pid: o.process.pid, qname: null, domain: null, address: null,
      evidence: {
        tool: v.tool, reason: v.reason, matched: v.matched, exe: o.process.exe,
        argv: o.process.argv.slice(0, 12).map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)),
        buildScript: o.buildScript?.kind ?? null, buildScriptPid: o.buildScript?.process.pid ?? null,
      },
    };
  }

  return {
    kind: 'unexpected_tool',
    spec: s,
    init: () => null,
    step(state: null, o: Observation) {
      if (o.kind !== 'exec' || o.buildScript === null) return { state, findings: [] };
      const verdict = judge(o.process.exe, o.process.argv);
      if (verdict === null || allowed.has(verdict.tool)) return { state, findings: [] };
      return { state, findings: [report(o, verdict)] };
    },
  };
}
