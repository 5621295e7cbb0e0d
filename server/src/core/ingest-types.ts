// Data the ingest core hands to the store and the broadcaster.
import type { BuildContext } from '@telltale/proto';
import type { Finding, ProcessInfo } from './observation.js';
import type { ProcessNode, ProcessTree } from './process-tree.js';

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
  tree: ProcessTree;
  counts: BuildCounts;
  answersSeen: boolean;
  alertKeys: Set<string>;
  domains: Set<string>;
  poisonedDomains: Set<string>;
}

export interface DnsRow {
  buildId: string;
  timeUs: number;
  pid: number;
  qname: string;
  qtype: string;
  domain: string | null;
  partial: boolean;
  server: string;
  port: number;
  baselineKnown: boolean;
}

export interface ConnectRow {
  buildId: string;
  timeUs: number;
  pid: number;
  family: string;
  protocol: string;
  address: string;
  port: number;
  external: boolean;
}

export interface AlertDraft {
  finding: Finding;
  context: BuildContext;
  chain: ProcessInfo[];
  timeUs: number;
}

export interface ApplyResult {
  buildsStarted: BuildState[];
  buildsEnded?: BuildState[];
  buildsChanged: Set<string>;
  processes: { buildId: string; node: ProcessNode }[];
  exits: { buildId: string; pid: number; startTimeUs: number; exitCode: number; timeUs: number }[];
  dns: DnsRow[];
  connects: ConnectRow[];
  findings: AlertDraft[];
  baselineAdds: { pipeline: string; domain: string; buildId: string; timeUs: number }[];
  baselineRemovals?: { pipeline: string; domain: string }[];
  baselineLearned: { pipeline: string; learnedBuilds: number }[];
  drops: Map<string, number>;
}
