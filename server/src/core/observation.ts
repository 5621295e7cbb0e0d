// What detectors see: an event already placed in its build, its process chain and its
// decoded DNS name. The ingest pipeline builds these; detectors never see wire data.

export type BuildScriptKind = 'cargo_build_script' | 'rustc_proc_macro' | 'npm_lifecycle' | 'setup_py' | 'go_generate';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  cwd: string;
  startTimeUs: number;
}

export interface BuildScriptAncestor {
  kind: BuildScriptKind;
  /** The process that is the build script (for cargo: build-script-build). */
  process: ProcessInfo;
}

interface ObservationBase {
  timeUs: number;
  buildId: string;
  pipeline: string;
  /** The process the event belongs to. */
  process: ProcessInfo;
  /** Root of the build first, `process` last. */
  chain: ProcessInfo[];
  /** The nearest build script among the process and its ancestors, if any. */
  buildScript: BuildScriptAncestor | null;
}

export interface DnsQueryObservation extends ObservationBase {
  kind: 'dns_query';
  /** Lower-cased query name without the trailing dot, as far as it could be read. */
  qname: string;
  /** The name as sent, case preserved (base64 data keeps its case on the wire). */
  qnameRaw: string;
  labels: string[];
  qtype: string;
  /** Registrable domain (public suffix list, private section included), null for IPs and bare suffixes. */
  domain: string | null;
  /** The labels left of `domain`, as sent (case preserved). */
  subdomainLabels: string[];
  /** True when the capture was cut short and only part of the name could be read. */
  partial: boolean;
  serverAddress: string;
  serverPort: number;
  /** The pipeline's baseline already holds `domain`. */
  baselineKnows: boolean;
  /** The pipeline is still learning its baseline: first_seen_domain stays quiet. */
  baselineLearning: boolean;
}

export interface ConnectObservation extends ObservationBase {
  kind: 'connect';
  family: 'inet' | 'inet6' | 'unspecified';
  protocol: 'tcp' | 'udp' | 'unspecified';
  address: string;
  port: number;
  /** Public address, or loopback/private marked external by configuration. */
  external: boolean;
  /** Names that an observed DNS answer gave for this address (this host, recent), empty when none. */
  answeredNames: string[];
  /** The collector has seen DNS answers from this build at all (so a missing name means something). */
  answersObserved: boolean;
}

export interface ExecObservation extends ObservationBase {
  kind: 'exec';
}

export type Observation = DnsQueryObservation | ConnectObservation | ExecObservation;

export type AlertKind =
  | 'first_seen_domain'
  | 'encoded_dns_label'
  | 'dns_tunnel_volume'
  | 'raw_ip_egress'
  | 'doh_endpoint'
  | 'unexpected_tool'
  | 'secret_leak'
  | 'typosquat_package';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface Finding {
  kind: AlertKind;
  severity: Severity;
  /** Findings with the same key within a build are one alert; the store keeps the first. */
  dedupeKey: string;
  buildId: string;
  pid: number;
  qname: string | null;
  domain: string | null;
  address: string | null;
  /** Why it fired, for a person: plain JSON, no functions, no class instances. */
  evidence: Record<string, unknown>;
}

export interface StepResult<S> {
  state: S;
  findings: Finding[];
}

/**
 * A compiled detector: no clock, no I/O. `now` is the pipeline's clock in microseconds.
 * The caller owns the state and does not keep old states: it passes each step the state the
 * previous step returned, so `step` may mutate that state in place and return it.
 */
export interface Detector<S = unknown> {
  readonly kind: AlertKind;
  init(): S;
  step(state: S, observation: Observation, now: number): StepResult<S>;
}
