// The console's contract: the JSON the collector's HTTP API returns and its WebSocket
// stream pushes. Types only (the console imports them type-only, so nothing of this package
// is bundled into the browser). Times are ISO 8601 strings in UTC; `*Us` fields are Unix
// microseconds, kept where a client pages or sorts by them.
//
// Everything textual that comes from a monitored build (qname, domain, argv, cwd, exe, repo,
// job...) is chosen by whoever controls the build: render it as text, never as HTML or a link.

export type BuildStatus = 'running' | 'succeeded' | 'failed';

export interface BuildCounts {
  processes: number;
  dnsQueries: number;
  connects: number;
  alerts: number;
  lostEvents: number;
}

export interface BuildSummary {
  id: string;
  pipeline: string;
  runId: string;
  job: string;
  repo: string;
  commit: string;
  agentHost: string;
  ciProvider: string;
  rootPid: number;
  state: BuildStatus;
  startedAt: string;
  startedAtUs: number;
  endedAt: string | null;
  exitCode: number | null;
  counts: BuildCounts;
  /** Events were lost on the way: no alert does not mean a clean build. */
  coverageIncomplete: boolean;
  /** The Kubernetes pod the build ran in, when the source knew it (Tetragon). */
  k8s: { namespace: string; pod: string; container: string } | null;
}

/** GET /api/builds?pipeline=&state=&cursor=&limit= (newest first). */
export interface BuildPage {
  builds: BuildSummary[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next: string | null;
}

export interface ProcessNode {
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  cwd: string;
  startedAt: string;
  exitCode: number | null;
  /** This process is a build script (cargo build-script-build, rustc running proc-macros, npm lifecycle, setup.py, go generate). */
  buildScript: string | null;
  /**
   * Build scripts only: the package whose code it runs, read from the process (path, working
   * directory, rustc arguments), the version from the build's lockfiles when the process gives none.
   */
  package?: ProcessPackage;
  children: ProcessNode[];
}

export type PackageEcosystem = 'cargo' | 'npm' | 'pypi' | 'go';

export interface ProcessPackage {
  ecosystem: PackageEcosystem;
  name: string;
  version: string | null;
  /** rustc_proc_macro: the proc-macro crates rustc loaded (the code that ran is one of theirs). */
  procMacros?: string[];
}

export interface DnsQueryRow {
  qname: string;
  qtype: string;
  /** Registrable domain; null for IP literals and bare public suffixes. */
  domain: string | null;
  partial: boolean;
  server: string;
  port: number;
  /** The process that asked first (later askers of the same name are counted, not listed). */
  firstPid: number;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
  /** The pipeline's baseline knew the domain when the build first asked. */
  baselineKnown: boolean;
}

export interface ConnectRow {
  address: string;
  port: number;
  protocol: string;
  family: string;
  external: boolean;
  firstPid: number;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

/** GET /api/builds/:id */
export interface BuildDetail {
  build: BuildSummary;
  /** Processes whose parent is unknown are roots; normally one root, the build's own. */
  processTree: ProcessNode[];
  /** False when the tree was rebuilt from only part of a very long build's event log. */
  processTreeComplete: boolean;
  dnsQueries: DnsQueryRow[];
  connects: ConnectRow[];
  /** False when only the first 5,000 DNS names or destinations are listed. */
  trafficComplete: boolean;
  alerts: Alert[];
  /** The lockfiles the agent reported for the build (its latest 64 reports), each with its change since the pipeline's previous build. */
  lockfiles: BuildLockfileRow[];
}

export interface TyposquatSignalJson {
  kind: 'confusable' | 'separator_swap' | 'scope_confusion' | 'affix' | 'edit_distance';
  /** The well-known name it resembles. */
  resembles: string;
  evidence: string;
}

/** What changed in one lockfile since the pipeline's previous snapshot of it (lists capped at 500). */
export interface LockfileChange {
  /** No previous snapshot: nothing "arrived"; `flagged` still lists strong look-alikes. */
  first: boolean;
  previousBuildId: string | null;
  counts: { added: number; removed: number; upgraded: number; downgraded: number; changedInPlace: number; newWithScripts: number; scriptsGained: number };
  added: { name: string; version: string | null; source: string; hasBuildScript: boolean | null; arrival: string | null; typosquat: TyposquatSignalJson[] }[];
  /** Added packages whose names resemble well-known ones. */
  flagged: { name: string; version: string | null; typosquat: TyposquatSignalJson[]; dependencyPaths: string[] }[];
  /** Only the first this many flagged packages carry their dependency paths (the others: []). */
  flaggedPathsShown: number;
  removed: { name: string; version: string | null }[];
  upgraded: { name: string; from: string; to: string }[];
  downgraded: { name: string; from: string; to: string }[];
  changedInPlace: { name: string; version: string; what: 'checksum' | 'source' }[];
  scriptsGained: { name: string; from: string; to: string }[];
}

export interface BuildLockfileRow {
  /** Relative to the build's workspace. */
  path: string;
  kind: 'cargo-lock' | 'npm-lock' | 'poetry-lock' | 'requirements-txt' | 'go-sum';
  sha256: string;
  size: number;
  reportedAt: string;
  /**
   * parsed; unparsable (detail says why); content_unknown (never received); too_large or
   * over_budget (the agent sent only its hash, or the build used up the collector's 64 MiB of
   * lockfile content a build).
   */
  status: 'parsed' | 'unparsable' | 'content_unknown' | 'too_large' | 'over_budget';
  detail: string | null;
  /** `Cargo.lock v4`, `package-lock.json v3`... */
  format: string | null;
  packages: number | null;
  change: LockfileChange | null;
}

/**
 * `evidence.package` of an alert raised under a build script: the package whose script did it,
 * with what the build's lockfiles say about it (fields absent when no lockfile knew it).
 */
export interface AlertPackageEvidence extends ProcessPackage {
  /** What the attribution was read from, for a person: `build script path`, `working directory`... */
  from: string;
  /** The lockfile that locks it; null: the build has a lockfile of its ecosystem and it is locked nowhere. */
  lockfile?: string | null;
  /** Found in no lockfile reported, and the agent's scan of the workspace stopped at a bound (so not "locked nowhere"). */
  lockfilesIncomplete?: boolean;
  /** Listed in the project's own manifest (true) or brought in by another package (false). */
  direct?: boolean | null;
  /** Up to 3, `app 0.1.0 → rust-utilities 2.1.1 → reqwests 0.1.0`. */
  dependencyPaths?: string[];
  /** null: the pipeline's first snapshot of that lockfile, nothing to compare with. */
  arrivedInThisBuild?: boolean | null;
  /** `reqwests 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1`. */
  arrival?: string;
  /**
   * What happened to it in this build's lockfile, against the pipeline's previous build:
   * `unchanged`; null on the pipeline's first lockfile.
   */
  changeInThisBuild?: 'added' | 'upgraded' | 'downgraded' | 'changed_in_place' | 'unchanged' | null;
  /** For an upgrade or downgrade: the version locked before. */
  previousVersion?: string;
  /** When it changed in this build: the lockfile's change since the pipeline's previous build (lists capped at 10). */
  lockfileChange?: {
    lockfile: string; previousBuildId: string | null; added: number; removed: number; upgraded: string[]; downgraded: string[]; changedInPlace: string[];
  };
  typosquat?: TyposquatSignalJson[];
  /** The process gave no version and the lockfile locks several. */
  lockedVersions?: string[];
  /** A rustc that loaded proc-macros: each described from the lockfile like the crate (their code is what ran). */
  procMacroPackages?: Omit<AlertPackageEvidence, 'from' | 'procMacros' | 'procMacroPackages'>[];
}

/** The evidence of a `typosquat_package` alert: a lockfile added a package named like a well-known one. */
export interface TyposquatPackageEvidence {
  package: { ecosystem: PackageEcosystem; name: string; version: string | null };
  signals: TyposquatSignalJson[];
  lockfile: string;
  arrival: string | null;
  dependencyPaths: string[];
  /** The package has a build or install script: its code runs during the build. */
  runsInstallScript?: boolean;
}

export type AlertStatus = 'open' | 'acknowledged' | 'resolved' | 'false_positive';
export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface ChainProcess {
  pid: number;
  exe: string;
  argv: string[];
  cwd: string;
}

export interface Alert {
  id: string;
  kind: string;
  severity: Severity;
  status: AlertStatus;
  statusChangedAt: string | null;
  pipeline: string;
  runId: string;
  buildId: string;
  qname: string | null;
  domain: string | null;
  address: string | null;
  pid: number;
  /** Root of the build first, the alerting process last. */
  chain: ChainProcess[];
  /**
   * Detector-specific, plain JSON: why it fired. Under a build script it carries `package`
   * (AlertPackageEvidence); a typosquat_package alert's is a TyposquatPackageEvidence.
   */
  evidence: Record<string, unknown>;
  /** When the event that raised it happened. */
  eventAt: string;
  eventAtUs: number;
  createdAt: string;
  createdAtUs: number;
  incidentId: string | null;
}

/** GET /api/alerts?pipeline=&kind=&severity=&status=&buildId=&runId=&since=&cursor=&limit= (newest first). */
export interface AlertPage {
  alerts: Alert[];
  next: string | null;
  /** Alerts matching the filter, all pages together. */
  total: number;
}

/** One label of a DNS name, judged the way encoded_dns_label judges it. */
export interface DecodedLabel {
  text: string;
  /** subdomain: left of the registrable domain (where data hides); domain/suffix: the rest. */
  role: 'subdomain' | 'domain' | 'suffix';
  length: number;
  alphabet: string;
  alphabetSize: number;
  /** Shannon entropy in bits per character, and what uniformly random text of that length and alphabet would have. */
  entropy: number;
  expectedEntropy: number;
  /** 0..1: how much the label looks like encoded data. */
  randomness: number;
  /** Estimated information carried, in bits (0 below 6 characters). */
  bits: number;
}

export interface DecodedQuery {
  qname: string;
  domain: string | null;
  labels: DecodedLabel[];
}

export type ActionKind =
  | 'acknowledge' | 'resolve' | 'false_positive' | 'allow_domain' | 'revoke_domain' | 'reopen'
  | 'incident_open' | 'incident_add_alerts' | 'incident_note' | 'incident_status'
  | 'baseline_approve' | 'baseline_reject' | 'baseline_remove' | 'baseline_settings';

/** Everything a person did, as recorded by the collector. */
export interface Action {
  id: number;
  at: string;
  atUs: number;
  actor: string;
  action: ActionKind;
  targetType: 'alert' | 'incident' | 'pipeline';
  targetId: string;
  /**
   * What was done, by action: resolve/false_positive { reason }; allow_domain { domain, kind,
   * alertId, reason, alreadyAllowed }; revoke_domain { domain, kind, alertId, unlearnt };
   * incident_open { title, alertIds }; incident_add_alerts { alertIds }; incident_note { text };
   * incident_status { from, to }; baseline_approve { version, added, reason };
   * baseline_reject { rejected }; baseline_remove { version, removed, reason };
   * baseline_settings { mode, learningBuilds }.
   */
  detail: Record<string, unknown>;
}

/** GET /api/alerts/:id */
export interface AlertDetail {
  alert: Alert;
  build: BuildSummary | null;
  /** The build's other alerts (this one excluded). */
  buildAlerts: Alert[];
  decoded: DecodedQuery | null;
  actions: Action[];
  incident: IncidentSummary | null;
  /** An operator allowed alerts of this kind on this domain for the pipeline (reopening the alert takes it back). */
  domainAllowed: boolean;
}

export type IncidentStatus = 'open' | 'contained' | 'closed';

export interface IncidentSummary {
  id: string;
  title: string;
  status: IncidentStatus;
  createdAt: string;
  createdBy: string;
  containedAt: string | null;
  closedAt: string | null;
  alertCount: number;
  pipelines: string[];
  buildIds: string[];
  /** Earliest suspicious event among its alerts (the agent's clock). */
  firstActivityAt: string | null;
  /** When the first of its alerts was raised. */
  detectedAt: string | null;
  /** detectedAt − firstActivityAt. */
  timeToDetectMs: number | null;
  /** closedAt − detectedAt; null while not closed. */
  timeToResolveMs: number | null;
}

/** GET /api/incidents?status=&cursor=&limit= (newest first). */
export interface IncidentPage {
  incidents: IncidentSummary[];
  next: string | null;
}

export type TimelineEntry =
  | { type: 'exec'; atUs: number; at: string; buildId: string; pid: number; ppid: number; exe: string; argv: string[]; cwd: string }
  | { type: 'exit'; atUs: number; at: string; buildId: string; pid: number; exitCode: number }
  | { type: 'dns'; atUs: number; at: string; buildId: string; pid: number; qname: string; qtype: string; domain: string | null; count: number; baselineKnown: boolean }
  | { type: 'connect'; atUs: number; at: string; buildId: string; pid: number; address: string; port: number; protocol: string; external: boolean; count: number }
  /** At the event that raised it; alert.createdAt says when it was raised. */
  | { type: 'alert'; atUs: number; at: string; buildId: string; alert: Alert }
  | { type: 'action'; atUs: number; at: string; action: Action };

/** GET /api/incidents/:id */
export interface IncidentDetail {
  incident: IncidentSummary;
  /** Its first 1,000 alerts. */
  alerts: Alert[];
  /** Oldest first. */
  timeline: TimelineEntry[];
  /**
   * False when something was left out to keep the page bounded: a build's log longer than its
   * share of 2,000 batches (then the window from 10 minutes before its first alert is shown),
   * more than 5,000 rows of a kind per build, more than 20 builds or 1,000 alerts.
   */
  timelineComplete: boolean;
  actions: Action[];
}

export interface PipelineSummary {
  pipeline: string;
  builds: number;
  lastBuildAt: string | null;
  /** Builds the baseline has learnt from, and how many it learns before first_seen_domain speaks. */
  learnedBuilds: number;
  learningBuilds: number;
  /** The pipeline's own number of learning builds; null when it follows the collector's --learning-builds. */
  learningBuildsSetting: number | null;
  learning: boolean;
  /** auto: the first builds teach it; supervised: entries wait for an operator's approval. */
  mode: 'auto' | 'supervised';
  /** The baseline's newest version (0: none yet). */
  version: number;
  domains: number;
  names: number;
  destinations: number;
  tools: number;
  /** Entries builds proposed that wait for approval (supervised mode). */
  pending: number;
  openAlerts: number;
}

/** GET /api/pipelines */
export interface PipelineList {
  pipelines: PipelineSummary[];
}

export interface BaselineDomain {
  domain: string;
  firstSeenAt: string;
  /** The build that taught it: a learning build, or the build of the alert an operator marked a false positive. */
  buildId: string;
  /** allowed: an operator allowed alerts on it (allowedKinds); it may have been learnt before. */
  source: 'learned' | 'allowed';
  allowedBy: string | null;
  reason: string | null;
  /** The alert kinds that no longer fire on it in this pipeline. */
  allowedKinds: string[];
}

export interface BaselineTool {
  /** `<build script kind>:<executable base name>`, e.g. `cargo_build_script:cc`. */
  tool: string;
  firstSeenAt: string;
  buildId: string;
}

/** GET /api/pipelines/:name */
export interface PipelineDetail {
  summary: PipelineSummary;
  domains: BaselineDomain[];
  /** Domains that carried exfiltration in one of its builds: never learnt. */
  poisoned: { domain: string; firstSeenAt: string; buildId: string }[];
  tools: BaselineTool[];
  /** Every entry, active and pending, of every kind. */
  entries: BaselineEntry[];
  /** Newest first. */
  versions: BaselineVersionInfo[];
  recentBuilds: BuildSummary[];
}

export type BaselineEntryKind = 'name' | 'domain' | 'destination' | 'tool';

/** One thing a baseline allows: an exact DNS name, a registrable domain (for first_seen_domain),
 * a destination `tcp/192.0.2.1:443` / `udp/[2001:db8::1]:53`, or a build-script tool. */
export interface BaselineEntryRef {
  kind: BaselineEntryKind;
  value: string;
}

export interface BaselineEntry extends BaselineEntryRef {
  state: 'active' | 'pending';
  /** The version that made it active; null while a running learning build teaches it, or while pending. */
  version: number | null;
  /** The build that first used it ("operator" when an operator added it by hand). */
  buildId: string;
  firstSeenAt: string;
  lastUsedAt: string;
}

export interface BaselineVersionInfo {
  version: number;
  at: string;
  /** learned | approved | allowed | revoked | removed | expired | poisoned | migrated */
  cause: string;
  actor: string;
  reason: string;
  /** The builds that taught it. */
  builds: string[];
  added: BaselineEntryRef[];
  removed: BaselineEntryRef[];
}

/** GET /api/pipelines/:name/baseline/diff?from=&to= */
export interface BaselineVersionDiff {
  pipeline: string;
  from: number;
  to: number;
  added: BaselineEntryRef[];
  removed: BaselineEntryRef[];
}

/** GET /api/builds/:id/baseline-diff: what the build used that its pipeline's baseline does not hold. */
export interface BuildBaselineDiff {
  pipeline: string;
  /** The baseline version compared against (the newest). */
  version: number;
  new: (BaselineEntryRef & { pending: boolean })[];
  used: Record<BaselineEntryKind, number>;
}

/** GET /api/pipelines/:name/allowlist: what the DNS guard forwards. */
export interface GuardAllowlist {
  pipeline: string;
  version: number;
  readiness: 'ready' | 'learning' | 'empty';
  /** Exact names. */
  names: string[];
  /** Registrable domains an operator allowed whole (every name under them). */
  domains: string[];
}

/** One second of ingest, for the live chart. GET /api/stats returns the last 300. */
export interface StatsTick {
  at: string;
  atMs: number;
  events: number;
  alerts: number;
  openBuilds: number;
}

export interface StatsHistory {
  ticks: StatsTick[];
}

/** GET /api/session: what the console may do without and with the operator token. */
export interface SessionInfo {
  /** Reads need the token too (the HTTP API listens beyond loopback). */
  readsNeedToken: boolean;
  /** The token sent in Authorization was accepted. */
  operator: boolean;
}

/** Error body of every non-2xx answer. */
export interface ApiError {
  code: string;
  message: string;
}

/**
 * Actions (POST, JSON body, header `Authorization: Bearer <operator token>`; `actor` names
 * who acts, 1–64 printable characters, default "operator"):
 *   POST /api/alerts/:id/acknowledge      { actor? }                              → { alert }
 *   POST /api/alerts/:id/resolve          { actor?, reason }                      → { alert }
 *   POST /api/alerts/:id/false-positive   { actor?, reason, allowDomain: boolean } → { alert }
 *   POST /api/alerts/:id/reopen           { actor? }                              → { alert }
 *   POST /api/incidents                   { actor?, title, alertIds: string[] }   → { incident }
 *   POST /api/incidents/:id/alerts        { actor?, alertIds: string[] }          → { incident }
 *   POST /api/incidents/:id/notes         { actor?, text }                        → { action }
 *   POST /api/incidents/:id/status        { actor?, status }                      → { incident }
 */
/** One fire drill's outcome, as `telltale drill` reports it (GET /api/drills, POST /api/drills). */
export interface DrillRecord {
  id: string;
  at: string;
  variant: { encoding: string; chunk: string; paceMs: number; qtype: string; channel: string; control: boolean };
  passed: boolean;
  detected: boolean;
  /** From the first leaking query reaching the drill DNS server to the first alert naming it on the stream. */
  timeToDetectMs: number | null;
  maxTtdMs: number;
  detectors: string[];
  chainNamesCrate: boolean;
  layers: { limit: string; canaryReachedServer: boolean; canaryReconstructed: boolean; exposed: boolean };
  queries: number;
  buildExitCode: number;
  /** With --guard: what the DNS guard did (mode), what was asked, and how many leaking names it refused. */
  guard: { mode: 'audit' | 'enforce'; asked: 'audit' | 'enforce'; refused: number } | null;
}

export interface DrillPage {
  drills: DrillRecord[];
  next: string | null;
}

export type StreamMessage =
  | { type: 'hello'; version: 1 }
  | { type: 'build'; build: BuildSummary }
  | { type: 'alert'; alert: Alert }
  | { type: 'alert_updated'; alert: Alert }
  | { type: 'incident_updated'; incident: IncidentSummary }
  | { type: 'stats'; tick: StatsTick }
  | { type: 'drill'; drill: DrillRecord };
