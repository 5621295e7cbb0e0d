// Data the ingest core hands to the store and the broadcaster.
import type { BuildContext } from '@telltale/proto';
import type { Finding, ProcessInfo } from './observation.js';
import type { ProcessTree } from './process-tree.js';
import type { AnswerCache } from './answer-cache.js';
import type { BuildLockfile } from './attribution/build-lockfiles.js';

export interface BuildCounts {
  processes: number;
  dns: number;
  connects: number;
  alerts: number;
  lost: number;
}

export interface BuildState {
  context: BuildContext;
  rootPid: number;
  startedUs: number;
  endedUs: number | null;
  exitCode: number | null;
  /** The collector's clock when the build's last event arrived. */
  lastEventUs: number;
  /** It teaches its pipeline's auto baseline (decided when it started: a learning slot was free). */
  teaches: boolean;
  tree: ProcessTree;
  counts: BuildCounts;
  answersSeen: boolean;
  /** Names the build's own received DNS answers gave each address. */
  answers: AnswerCache;
  alertKeys: Set<string>;
  /** The lockfiles the agent reported for the build: a small reference per path (its current snapshot), resolved by the ledger when needed. */
  lockfiles?: BuildLockfile[];
  /** Per secret_leak dedupe key, the bytes of the value reported so far (absent after a reload: the store guards). */
  secretCoverage?: Map<string, number>;
  /** The build's last DNS query sent (a secret_match that follows names it as the carrier). */
  lastQuery?: { pid: number; qname: string; domain: string | null };
  domains: Set<string>;
  /** Query bytes (after the ID) already judged in this build → what they decoded to. */
  seenQueries: Map<string, SeenQuery>;
  /** Tools its build scripts ran, as `<script kind>:<tool>` (bounded). */
  scriptTools: Set<string>;
}

/** A build ended: what its pipeline's baseline does with it (see Store.sealBuild). */
export interface BaselineSeal {
  pipeline: string;
  buildId: string;
  timeUs: number;
  mode: 'auto' | 'supervised';
  /** An auto baseline was still learning: what the build used becomes a version. */
  teaches: boolean;
  tools: string[];
}

/** One DNS name a build asked for, aggregated over a batch: repeats only bump the count. */
export interface DnsNameRow {
  buildId: string;
  qname: string;
  qtype: string;
  domain: string | null;
  partial: boolean;
  server: string;
  port: number;
  firstPid: number;
  firstUs: number;
  lastUs: number;
  count: number;
  baselineKnown: boolean;
}

/** One destination a build connected to, aggregated over a batch. */
export interface DestinationRow {
  buildId: string;
  address: string;
  port: number;
  protocol: string;
  family: string;
  external: boolean;
  firstPid: number;
  firstUs: number;
  lastUs: number;
  count: number;
}

export interface AlertDraft {
  finding: Finding;
  context: BuildContext;
  chain: ProcessInfo[];
  timeUs: number;
}

export interface AlertEvidenceUpdate {
  dedupeKey: string;
  buildId: string;
  evidence: Record<string, unknown>;
  /** The store only takes evidence whose coveredBytes exceeds what it holds (no going back). */
  coveredBytes: number;
}

export interface ApplyResult {
  buildsStarted: BuildState[];
  buildsEnded?: BuildState[];
  /** Open builds pushed out of memory by newer ones (their stored coverage is marked incomplete). */
  buildsEvicted?: BuildState[];
  buildsChanged: Set<string>;
  /** Builds each event of the batch belonged to (the store indexes the raw batch by build). */
  buildsTouched: Set<string>;
  dnsNames: Map<string, DnsNameRow>;
  destinations: Map<string, DestinationRow>;
  findings: AlertDraft[];
  baselineAdds: { pipeline: string; domain: string; buildId: string; timeUs: number }[];
  baselineRemovals?: { pipeline: string; domain: string; buildId: string }[];
  baselinePoisoned?: { pipeline: string; domain: string; buildId: string; timeUs: number }[];
  baselineLearned: { pipeline: string; learnedBuilds: number }[];
  baselineSeals?: BaselineSeal[];
  /** Tools (`<script kind>:<tool>`) a learning build's scripts ran for the first time in its pipeline. */
  baselineTools?: { pipeline: string; tool: string; buildId: string; timeUs: number }[];
  drops: Map<string, number>;
  /** Findings dropped because an operator allowed their domain for the pipeline. */
  suppressed?: number;
  /** Stored alerts whose evidence grew (a secret_leak whose queries now carry more of the value), by dedupe key. */
  alertUpdates?: AlertEvidenceUpdate[];
  /** Events sources reported lost, by `source\0reason` (known values, else "other"). */
  losses?: Map<string, number>;
}

/** A query already decoded and judged in a build; a repeat only counts. */
export interface SeenQuery {
  qname: string;
  qtype: string;
  domain: string | null;
  partial: boolean;
}
