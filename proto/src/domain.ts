// The normalized telltale event, as every package's core sees it: plain data, no protobuf.
// Adapters turn wire messages into these with fromProto and back with toProto.

export type AddressFamily = 'inet' | 'inet6' | 'unspecified';
export type Transport = 'tcp' | 'udp' | 'unspecified';

export interface BuildContext {
  buildId: string;
  pipeline: string;
  runId: string;
  job: string;
  repo: string;
  commit: string;
  agentHost: string;
  ciProvider: string;
  /** The Kubernetes pod the build ran in, when the source knows it (Tetragon's pod fields). */
  k8sNamespace?: string;
  k8sPod?: string;
  k8sContainer?: string;
}

interface EventBase {
  /** Wall clock, microseconds since the Unix epoch. */
  timeUs: number;
  buildId: string;
}

export interface BuildStartEvent extends EventBase { kind: 'build_start'; context: BuildContext; rootPid: number }
export interface BuildEndEvent extends EventBase { kind: 'build_end'; exitCode: number }
export interface ExecEvent extends EventBase {
  kind: 'exec';
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  cwd: string;
  uid: number;
  startTimeUs: number;
  argvTruncated: boolean;
}
export interface ForkEvent extends EventBase { kind: 'fork'; pid: number; ppid: number }
export interface ExitEvent extends EventBase { kind: 'exit'; pid: number; exitCode: number; signal: number }
export interface ConnectEvent extends EventBase {
  kind: 'connect';
  pid: number;
  family: AddressFamily;
  protocol: Transport;
  address: string;
  port: number;
}
export interface DnsEvent extends EventBase {
  kind: 'dns';
  pid: number;
  /** The bytes captured; fewer than packetLength when the source truncated them. */
  packet: Uint8Array;
  packetLength: number;
  family: AddressFamily;
  protocol: Transport;
  address: string;
  port: number;
  /** A response the process received, rather than a query it sent. */
  response: boolean;
}
export interface LossEvent extends EventBase { kind: 'loss'; source: string; reason: string; count: number }

export type SecretEncoding = 'raw' | 'hex' | 'base32' | 'base64' | 'base64url';
/**
 * The agent found pieces of a secret-like environment variable of the build in the build's
 * DNS queries: the variable by name only, and how many bytes of its value the queries carry.
 */
export interface SecretMatchEvent extends EventBase {
  kind: 'secret_match';
  pid: number;
  variable: string;
  encoding: SecretEncoding;
  coveredBytes: number;
  valueBytes: number;
}

/** Why a lockfile's content is absent though the agent had not sent it before. */
export type LockfileOmission = 'too_large' | 'over_budget';
/**
 * A lockfile in the build's workspace when the build (or a CI step) started: its hash always,
 * its content when the agent had not sent that content for this pipeline and path before.
 */
export interface LockfileEvent extends EventBase {
  kind: 'lockfile';
  /** Relative to `workspace`, '/'-separated, without '..'. */
  path: string;
  workspace: string;
  sha256: string;
  size: number;
  /** null: sent before (the collector has it by hash) or omitted (`omitted` says why). */
  content: Uint8Array | null;
  omitted: LockfileOmission | null;
  /** The workspace scan stopped at a bound: lockfiles may be missing from what was reported. */
  scanIncomplete: boolean;
}

export type TelltaleEvent =
  | BuildStartEvent
  | BuildEndEvent
  | ExecEvent
  | ForkEvent
  | ExitEvent
  | ConnectEvent
  | DnsEvent
  | LossEvent
  | SecretMatchEvent
  | LockfileEvent;

export type EventKind = TelltaleEvent['kind'];

export interface EventBatch {
  agentId: string;
  sequence: number;
  events: TelltaleEvent[];
}

export interface BatchAck {
  sequence: number;
  accepted: number;
  rejected: number;
  duplicate: boolean;
}

export interface ChainEntry { pid: number; exe: string; argv: string[] }

export interface AlertSummary {
  id: string;
  kind: string;
  severity: string;
  qname: string | null;
  domain: string | null;
  address: string | null;
  chain: ChainEntry[];
  evidence: Record<string, unknown>;
  createdAtUs: number;
}
