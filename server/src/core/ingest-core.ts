// The collector's pure core: applies a batch of normalized events to per-build process
// trees and baselines, decodes DNS, runs the detectors, and returns what must be stored
// and broadcast. The adapter owns the clock, the database and the sockets.
import type { TelltaleEvent } from '@telltale/proto';
import type { BuildScriptAncestor, Detector, Finding, Observation, ProcessInfo } from './observation.js';
import { ProcessTree, unknownProcess, type ProcessNode } from './process-tree.js';
import { isExternal, type Cidr } from './address.js';
import { allowDomain, emptyBaseline, isAllowed, isLearning, poisoningKinds, revokeAllowance, toolName, type BaselineState, type LearningMode } from './baseline.js';
import { normaliseEntry, toolValue } from './baseline-entries.js';
import { packageOfBuildScript } from './attribution/package-of.js';
import { packageEvidence, typosquatFindings, type LockfilePort } from './attribution/build-lockfiles.js';
import { decodeDnsMessage, type DnsQuestion } from './dns-decode.js';
import { splitName } from './registrable-domain.js';
import { AnswerCache } from './answer-cache.js';
import { BuildRegistry } from './build-registry.js';
import type { ApplyResult, BuildState, DnsNameRow } from './ingest-types.js';

export type { ApplyResult, BuildState } from './ingest-types.js';

export interface IngestCoreConfig {
  learningBuilds: number;
  external: readonly Cidr[];
  dnsPorts: ReadonlySet<number>;
  maxOpenBuilds: number;
}

const MAX_SEEN_QUERIES = 4096;
/** Secret variables one build tracks coverage of (the agent fingerprints at most 64). */
const MAX_SECRET_LEAKS = 256;
/** Lockfiles one build keeps for attribution (the agent reports at most 32 a scan). */
export const MAX_BUILD_LOCKFILES = 64;

/** Loss reasons agents send; anything else is counted as "other" so metric labels stay bounded. */
// Known values only become metric labels: an agent must not be able to mint label values.
const LOSS_REASONS = new Set([
  'lost_events', 'perf_buffer_overflow', 'malformed_line', 'spool_overflow', 'line_too_long', 'tracker_eviction',
  'throttled', 'rate_limited', 'syscall_event_drop', 'kernel_drop', 'outputs_queue_drop', 'decoder_error', 'agent_error',
  'unusable_alert', 'dns_payload_missing', 'dns_payload_unrecoverable', 'secrets_not_indexed', 'secret_check_budget',
]);
const LOSS_SOURCES = new Set(['bpftrace', 'tetragon', 'falco', 'spool', 'agent']);

/** The query's bytes after its 16-bit ID (which changes on every retry), as a map key. */
function questionKey(packet: Uint8Array): string {
  let key = '';
  for (let i = 2; i < packet.length; i++) key += String.fromCharCode(packet[i]!);
  return key;
}

/** Tools a baseline records at most: plenty for a build, a bound for a host that never stops. */
const MAX_BASELINE_TOOLS = 2000;
/** Build-script tools one build remembers for its baseline (last use, proposals). */
const MAX_BUILD_TOOLS = 512;

/** A change the store made to a baseline, for the core's copy. */
export interface BaselineChange {
  mode?: LearningMode;
  learningBuilds?: number | null;
  version?: number;
  addDomains?: readonly string[];
  removeDomains?: readonly string[];
  addTools?: readonly string[];
  removeTools?: readonly string[];
}

export class IngestCore {
  private readonly builds: BuildRegistry;
  private readonly baselines = new Map<string, BaselineState>();
  private readonly detectorStates: unknown[];

  constructor(
    private readonly config: IngestCoreConfig,
    private readonly detectors: readonly Detector[],
    initial: { baselines?: BaselineState[]; openBuilds?: BuildState[]; nowUs?: number } = {},
    /** Stores and diffs the lockfiles agents report; without it they are dropped (counted). */
    private readonly lockfiles: LockfilePort | null = null,
  ) {
    this.detectorStates = detectors.map((d) => d.init());
    for (const b of initial.baselines ?? []) this.baselines.set(b.pipeline, b);
    this.builds = new BuildRegistry(config.maxOpenBuilds, initial.openBuilds ?? [], initial.nowUs ?? 0);
  }

  /** Builds in memory that have not ended. */
  get openBuilds(): number {
    return this.builds.openCount;
  }

  build(buildId: string): BuildState | undefined {
    return this.builds.get(buildId);
  }

  baseline(pipeline: string): BaselineState {
    let b = this.baselines.get(pipeline);
    if (!b) {
      b = emptyBaseline(pipeline);
      this.baselines.set(pipeline, b);
    }
    return b;
  }

  apply(events: readonly TelltaleEvent[], nowUs: number): ApplyResult {
    this.builds.forget(nowUs);
    const out: ApplyResult = {
      buildsStarted: [], buildsChanged: new Set(), buildsTouched: new Set(), dnsNames: new Map(), destinations: new Map(),
      findings: [], baselineAdds: [], baselineLearned: [], drops: new Map(),
    };
    for (const e of events) this.applyOne(e, nowUs, out);
    return out;
  }

  private drop(out: ApplyResult, reason: string, n = 1): void {
    out.drops.set(reason, (out.drops.get(reason) ?? 0) + n);
  }

  private applyOne(e: TelltaleEvent, nowUs: number, out: ApplyResult): void {
    if (e.kind === 'build_start') {
      if (this.builds.has(e.buildId)) return;
      const state: BuildState = {
        context: e.context, rootPid: e.rootPid, startedUs: e.timeUs, endedUs: null, exitCode: null, lastEventUs: nowUs,
        teaches: this.takesLearningSlot(e.context.pipeline),
        tree: new ProcessTree(e.rootPid), counts: { processes: 0, dns: 0, connects: 0, alerts: 0, lost: 0 },
        answersSeen: false, answers: new AnswerCache(4096), alertKeys: new Set(), domains: new Set(), seenQueries: new Map(), scriptTools: new Set(),
      };
      const evicted = this.builds.add(state);
      if (evicted) {
        // Its later events will be refused as unknown_build: it must not look clean. What it
        // taught its baseline so far is sealed all the same.
        evicted.counts.lost++;
        this.seal(evicted, evicted.lastEventUs, out);
        out.buildsEvicted ??= [];
        out.buildsEvicted.push(evicted);
        this.drop(out, 'open_build_evicted');
      }
      out.buildsStarted.push(state);
      out.buildsTouched.add(e.buildId);
      return;
    }
    const build = this.builds.get(e.buildId);
    if (!build) {
      this.drop(out, 'unknown_build');
      return;
    }
    out.buildsTouched.add(e.buildId);
    build.lastEventUs = nowUs;
    switch (e.kind) {
      case 'build_end': return this.endBuild(build, e.timeUs, e.exitCode, nowUs, out);
      case 'exec': {
        const node = build.tree.exec(e);
        if (!node) return this.drop(out, 'process_table_full');
        build.counts.processes++;
        out.buildsChanged.add(e.buildId);
        const p = this.placement(build, e.pid, e.timeUs);
        const raised = this.observe(build, {
          kind: 'exec', timeUs: p.timeUs, buildId: p.buildId, pipeline: p.pipeline, process: p.process, chain: p.chain, buildScript: p.buildScript,
        }, nowUs, out);
        // A tool a detector judged (even a finding deduplicated or suppressed) is never learnt;
        // the others a build script ran (not the script itself) are.
        if (p.buildScript && p.buildScript.process.pid !== e.pid && raised === 0) this.useTool(build, p.buildScript.kind, toolName(e.exe), e.timeUs, out);
        return;
      }
      case 'fork': {
        if (!build.tree.fork(e.pid, e.ppid, e.timeUs)) this.drop(out, 'process_table_full');
        return;
      }
      case 'exit': {
        build.tree.exit(e.pid, e.exitCode, e.timeUs);
        return;
      }
      case 'connect': return this.applyConnect(build, e, nowUs, out);
      case 'dns': return this.applyDns(build, e, nowUs, out);
      case 'secret_match': return this.applySecretMatch(build, e, out);
      case 'lockfile': return this.applyLockfile(build, e, nowUs, out);
      case 'loss':
        build.counts.lost += e.count;
        out.buildsChanged.add(e.buildId);
        this.drop(out, `source_${LOSS_REASONS.has(e.reason) ? e.reason : 'other'}`, e.count);
        {
          const key = `${LOSS_SOURCES.has(e.source) ? e.source : 'other'}\0${LOSS_REASONS.has(e.reason) ? e.reason : 'other'}`;
          out.losses ??= new Map();
          out.losses.set(key, (out.losses.get(key) ?? 0) + e.count);
        }
        return;
    }
  }

  /**
   * A lockfile of the build's workspace, reported when the build (or a CI step) started: kept
   * for attribution, and the packages it added with names like well-known ones are low
   * findings before any of their code runs.
   */
  private applyLockfile(build: BuildState, e: Extract<TelltaleEvent, { kind: 'lockfile' }>, nowUs: number, out: ApplyResult): void {
    if (!this.lockfiles) return this.drop(out, 'lockfile_not_kept');
    const ref = this.lockfiles.snapshot(build.context, e, nowUs);
    if (typeof ref === 'string') return this.drop(out, ref);
    // The build keeps a reference per path (its current snapshot); the parse stays in the ledger's cache.
    const list = (build.lockfiles ??= []);
    const i = list.findIndex((l) => l.path === ref.path);
    if (i >= 0) list[i] = ref;
    else if (list.length < MAX_BUILD_LOCKFILES) list.push(ref);
    else return this.drop(out, 'lockfiles_per_build');
    out.buildsChanged.add(e.buildId);
    const root = build.tree.chain(build.rootPid);
    for (const f of typosquatFindings({ buildId: e.buildId, rootPid: build.rootPid }, ref, this.lockfiles.resolve(ref))) {
      if (build.alertKeys.has(f.dedupeKey)) continue;
      build.alertKeys.add(f.dedupeKey);
      build.counts.alerts++;
      out.findings.push({ finding: f, context: build.context, chain: root.map(info), timeUs: e.timeUs });
    }
  }

  /** What the process and the build's lockfiles say about the package whose build script did it (resolved only now: findings are rare). */
  private packageOf(build: BuildState, script: BuildScriptAncestor | null): Record<string, unknown> | null {
    const ref = script ? packageOfBuildScript(script.kind, script.process) : null;
    if (!ref) return null;
    const port = this.lockfiles;
    if (!port) return packageEvidence(undefined, ref, () => null, null);
    return packageEvidence(build.lockfiles, ref, (r) => port.resolve(r), (eco, name) => port.judge(eco, name));
  }

  /**
   * The agent saw a secret of the build leave in its DNS queries (by name, never its value):
   * the first match raises a critical secret_leak; a later one reporting more of the value
   * updates that alert's evidence.
   */
  private applySecretMatch(build: BuildState, e: Extract<TelltaleEvent, { kind: 'secret_match' }>, out: ApplyResult): void {
    const dedupeKey = `secret_leak:${e.buildId}:${e.variable}`;
    const coverage = (build.secretCoverage ??= new Map());
    const before = coverage.get(dedupeKey);
    if (before !== undefined && e.coveredBytes <= before) return;
    if (before === undefined && coverage.size >= MAX_SECRET_LEAKS && !build.alertKeys.has(dedupeKey)) return this.drop(out, 'secret_leaks_per_build');
    coverage.set(dedupeKey, e.coveredBytes);
    const p = this.placement(build, e.pid, e.timeUs);
    const pkg = this.packageOf(build, p.buildScript);
    const evidence = {
      variable: e.variable, encoding: e.encoding, coveredBytes: e.coveredBytes, valueBytes: e.valueBytes,
      fraction: Math.round((e.coveredBytes / e.valueBytes) * 100) / 100, ...(pkg ? { package: pkg } : {}),
    };
    if (build.alertKeys.has(dedupeKey)) {
      // Raised in this batch: its draft takes the new evidence; raised before: the stored alert does.
      const draft = out.findings.find((d) => d.finding.dedupeKey === dedupeKey);
      if (draft) draft.finding.evidence = evidence;
      else (out.alertUpdates ??= []).push({ dedupeKey, buildId: e.buildId, evidence, coveredBytes: e.coveredBytes });
      return;
    }
    // The query that carried it (the agent sends the match right after it): its name and domain.
    const carrier = build.lastQuery?.pid === e.pid ? build.lastQuery : undefined;
    const finding: Finding = {
      kind: 'secret_leak', severity: 'critical', dedupeKey, buildId: e.buildId, pid: e.pid,
      qname: carrier?.qname ?? null, domain: carrier?.domain ?? null, address: null, evidence,
    };
    // A domain that carried a real secret is never learnt (nor kept, while learning).
    if (finding.domain) this.unlearn(build, finding.domain, e.timeUs, out);
    build.alertKeys.add(dedupeKey);
    build.counts.alerts++;
    out.buildsChanged.add(e.buildId);
    out.findings.push({ finding, context: build.context, chain: p.chain.map(info), timeUs: e.timeUs });
  }

  // Callers copy these fields into literals one by one: a spread costs ~2 µs an event on Node 20.
  private placement(build: BuildState, pid: number, timeUs: number) {
    // The tree's own nodes are handed to detectors (read-only by contract, no copies per
    // event); a finding copies the chain it keeps.
    const chain = build.tree.chain(pid);
    const process: ProcessNode = chain[chain.length - 1] ?? unknownProcess(pid);
    return {
      timeUs, buildId: build.context.buildId, pipeline: build.context.pipeline, process,
      chain: chain.length ? chain : [process], buildScript: build.tree.buildScriptOf(chain),
    };
  }

  private readonly externalMemo = new Map<string, boolean>();

  /** isExternal, remembered per address (it parses with BigInt; builds reuse few addresses). */
  private isExternal(address: string): boolean {
    let v = this.externalMemo.get(address);
    if (v === undefined) {
      v = isExternal(address, this.config.external);
      if (this.externalMemo.size >= 10_000) this.externalMemo.clear();
      this.externalMemo.set(address, v);
    }
    return v;
  }

  private applyConnect(build: BuildState, e: Extract<TelltaleEvent, { kind: 'connect' }>, nowUs: number, out: ApplyResult): void {
    build.counts.connects++;
    out.buildsChanged.add(e.buildId);
    const external = this.isExternal(e.address);
    const key = `${e.buildId}\0${e.address}\0${e.port}\0${e.protocol}`;
    const known = out.destinations.get(key);
    if (known) {
      known.count++;
      known.lastUs = e.timeUs;
    } else {
      out.destinations.set(key, {
        buildId: e.buildId, address: e.address, port: e.port, protocol: e.protocol, family: e.family, external,
        firstPid: e.pid, firstUs: e.timeUs, lastUs: e.timeUs, count: 1,
      });
    }
    // A connect to a resolver's DNS port is DNS traffic: judged by the DNS detectors.
    if (this.config.dnsPorts.has(e.port)) return;
    const p = this.placement(build, e.pid, e.timeUs);
    this.observe(build, {
      kind: 'connect', timeUs: p.timeUs, buildId: p.buildId, pipeline: p.pipeline, process: p.process, chain: p.chain, buildScript: p.buildScript,
      family: e.family, protocol: e.protocol,
      address: e.address, port: e.port, external, answeredNames: build.answers.namesFor(e.address), answersObserved: build.answersSeen,
    }, nowUs, out);
  }

  private applyDns(build: BuildState, e: Extract<TelltaleEvent, { kind: 'dns' }>, nowUs: number, out: ApplyResult): void {
    // A query already judged in this build (same bytes but the ID) changes no detector's
    // verdict: every detector counts distinct names or dedupes per build. Only count it.
    const repeatKey = e.response || e.packet.length < 12 || e.packet.length > 512 ? null : questionKey(e.packet);
    const seen = repeatKey === null ? undefined : build.seenQueries.get(repeatKey);
    if (seen) {
      build.counts.dns++;
      out.buildsChanged.add(e.buildId);
      if (!e.response) noteLastQuery(build, e.pid, seen.qname, seen.domain);
      this.countName(out, build, e, seen.qname, seen.qtype, seen.domain, seen.partial);
      return;
    }
    const decoded = decodeDnsMessage(e.packet, { transport: e.protocol, capturedFully: e.packet.length >= e.packetLength });
    if (!decoded.ok) {
      this.drop(out, `dns_${decoded.error.code.toLowerCase()}`);
      // Bytes a process sent to a DNS port that are not a DNS query may be data going out
      // raw: the build cannot be called clean, so its coverage is marked incomplete.
      if (!e.response) this.markIncomplete(build, out);
      return;
    }
    const m = decoded.message;
    if (m.isResponse) {
      // Only answers the process received count: a process could otherwise send itself a
      // forged "answer" to make a raw-IP connect look resolved.
      if (!e.response) {
        this.drop(out, 'dns_response_sent_by_process');
        this.markIncomplete(build, out);
        return;
      }
      build.answersSeen = true;
      for (const a of m.answers) if ('address' in a && a.address) build.answers.add(a.address, a.name.toLowerCase());
      return;
    }
    if (e.response) return this.drop(out, 'dns_query_received');
    if (m.trailingBytes > 0) {
      this.drop(out, 'dns_trailing_bytes');
      this.markIncomplete(build, out);
    } else if (e.packet.length < e.packetLength) {
      // A query too long to capture whole (over 1,248 bytes) is no plain query either.
      this.drop(out, 'dns_query_oversized');
      this.markIncomplete(build, out);
    }
    const cacheable = repeatKey !== null && m.questions.length === 1 && m.trailingBytes === 0;
    for (const q of m.questions) this.judgeQuestion(build, e, q, cacheable ? repeatKey : null, nowUs, out);
  }

  private judgeQuestion(
    build: BuildState, e: Extract<TelltaleEvent, { kind: 'dns' }>, q: DnsQuestion, repeatKey: string | null, nowUs: number, out: ApplyResult,
  ): void {
    const split = splitName(q.name, { partial: q.partial });
    const qname = q.name.toLowerCase();
    const domain = split.domain;
    // The agent sends a secret_match right after the query that carried it: remembered for it.
    if (!e.response) noteLastQuery(build, e.pid, qname, domain);
    build.counts.dns++;
    out.buildsChanged.add(e.buildId);
    if (repeatKey !== null && build.seenQueries.size < MAX_SEEN_QUERIES) {
      build.seenQueries.set(repeatKey, { qname, qtype: q.type, domain, partial: q.partial });
    }
    const baseline = this.baseline(build.context.pipeline);
    const learning = isLearning(baseline, this.config.learningBuilds);
    const knows = domain !== null && baseline.domains.has(domain);
    this.countName(out, build, e, qname, q.type, domain, q.partial);
    if (domain) build.domains.add(domain);
    const p = this.placement(build, e.pid, e.timeUs);
    this.observe(build, {
      kind: 'dns_query', timeUs: p.timeUs, buildId: p.buildId, pipeline: p.pipeline, process: p.process, chain: p.chain, buildScript: p.buildScript,
      qname, qnameRaw: q.name,
      labels: q.labels, qtype: q.type, domain, subdomainLabels: split.subdomainLabels, partial: q.partial,
      serverAddress: e.address, serverPort: e.port, baselineKnows: knows, baselineLearning: learning,
    }, nowUs, out);
    if (build.teaches && build.endedUs === null && domain && !knows && !baseline.poisoned.has(domain)) {
      baseline.domains.add(domain);
      out.baselineAdds.push({ pipeline: build.context.pipeline, domain, buildId: e.buildId, timeUs: e.timeUs });
    }
  }

  /** Something the build did could not be judged: it must not look clean. */
  private markIncomplete(build: BuildState, out: ApplyResult): void {
    build.counts.lost++;
    out.buildsChanged.add(build.context.buildId);
  }

  private countName(out: ApplyResult, build: BuildState, e: Extract<TelltaleEvent, { kind: 'dns' }>, qname: string, qtype: string, domain: string | null, partial: boolean): void {
    const key = `${e.buildId}\0${qname}\0${qtype}`;
    const row = out.dnsNames.get(key);
    if (row) {
      row.count++;
      row.lastUs = e.timeUs;
      return;
    }
    const knows = domain !== null && this.baseline(build.context.pipeline).domains.has(domain);
    const fresh: DnsNameRow = {
      buildId: e.buildId, qname, qtype, domain, partial, server: e.address, port: e.port, firstPid: e.pid, firstUs: e.timeUs,
      lastUs: e.timeUs, count: 1, baselineKnown: knows,
    };
    out.dnsNames.set(key, fresh);
  }

  /** Runs the detectors; returns how many findings they made (before dedupe and suppression). */
  private observe(build: BuildState, o: Observation, nowUs: number, out: ApplyResult): number {
    let raised = 0;
    this.detectors.forEach((d, i) => {
      const r = d.step(this.detectorStates[i], o, nowUs);
      this.detectorStates[i] = r.state;
      raised += r.findings.length;
      for (const f of r.findings) this.acceptFinding(build, f, o, out);
    });
    return raised;
  }

  private acceptFinding(build: BuildState, f: Finding, o: Observation, out: ApplyResult): void {
    if (build.alertKeys.has(f.dedupeKey)) return;
    if (f.domain && isAllowed(this.baseline(build.context.pipeline), f.domain, f.kind)) {
      out.suppressed = (out.suppressed ?? 0) + 1;
      return;
    }
    if (f.kind === 'unexpected_tool' && this.toolApproved(build, f)) {
      out.suppressed = (out.suppressed ?? 0) + 1;
      return;
    }
    build.alertKeys.add(f.dedupeKey);
    build.counts.alerts++;
    out.buildsChanged.add(build.context.buildId);
    // The package whose build script did it, as far as the process shows (findings are rare: no hot path).
    const pkg = this.packageOf(build, o.buildScript);
    if (pkg) f.evidence = { ...f.evidence, package: pkg };
    if (f.domain && poisoningKinds.has(f.kind)) this.unlearn(build, f.domain, o.timeUs, out);
    out.findings.push({ finding: f, context: build.context, chain: o.chain.map(info), timeUs: o.timeUs });
  }

  /**
   * A domain that carried exfiltration is never learnt by the pipeline (in this build or any
   * later one), and is taken back out of a baseline that is still learning.
   */
  private unlearn(build: BuildState, domain: string, timeUs: number, out: ApplyResult): void {
    const baseline = this.baseline(build.context.pipeline);
    if (!baseline.poisoned.has(domain)) {
      baseline.poisoned.add(domain);
      out.baselinePoisoned ??= [];
      out.baselinePoisoned.push({ pipeline: baseline.pipeline, domain, buildId: build.context.buildId, timeUs });
    }
    const i = out.baselineAdds.findIndex((a) => a.pipeline === baseline.pipeline && a.domain === domain);
    if (i >= 0 && out.baselineAdds[i]!.buildId === build.context.buildId) {
      out.baselineAdds.splice(i, 1);
      baseline.domains.delete(domain);
    } else if (isLearning(baseline, this.config.learningBuilds) && baseline.domains.has(domain)) {
      baseline.domains.delete(domain);
      out.baselineRemovals ??= [];
      out.baselineRemovals.push({ pipeline: baseline.pipeline, domain, buildId: build.context.buildId });
    }
  }

  /**
   * A network tool an operator approved for this kind of build script (alerting tools are
   * never learnt, so only an approval puts one there). Inline code is judged regardless.
   */
  private toolApproved(build: BuildState, f: Finding): boolean {
    const e = f.evidence as { tool?: unknown; reason?: unknown; buildScript?: unknown };
    if (e.reason !== 'network_tool' || typeof e.tool !== 'string' || typeof e.buildScript !== 'string') return false;
    return this.baseline(build.context.pipeline).tools.has(toolValue(e.buildScript, e.tool));
  }

  /** A build script ran `tool`: the build remembers it (bounded), and learns it when the build teaches. */
  private useTool(build: BuildState, scriptKind: string, tool: string, timeUs: number, out: ApplyResult): void {
    const entry = normaliseEntry('tool', toolValue(scriptKind, tool));
    if (entry === null) return; // a name no baseline can hold (spaces, controls): judged, never learnt
    if (build.scriptTools.size < MAX_BUILD_TOOLS) build.scriptTools.add(entry.value);
    if (!build.teaches || build.endedUs !== null) return;
    const baseline = this.baseline(build.context.pipeline);
    // Bounded: a --watch-host pseudo-build never ends, so its pipeline learns for as long as it runs.
    if (baseline.tools.has(entry.value) || baseline.tools.size >= MAX_BASELINE_TOOLS) return;
    baseline.tools.add(entry.value);
    out.baselineTools ??= [];
    out.baselineTools.push({ pipeline: baseline.pipeline, tool: entry.value, buildId: build.context.buildId, timeUs });
  }

  /**
   * Whether a build starting now teaches its pipeline's baseline: an auto baseline still
   * learning, with a slot left once the teaching builds already running are counted (two
   * builds started together while one slot is left: only the first teaches).
   */
  private takesLearningSlot(pipeline: string): boolean {
    const b = this.baseline(pipeline);
    if (b.mode !== 'auto') return false;
    const slots = (b.learningBuilds ?? this.config.learningBuilds) - b.learnedBuilds;
    return slots > 0 && this.builds.countOpen((o) => o.teaches && o.context.pipeline === pipeline) < slots;
  }

  /** The store changed a baseline (an approval, expiry, a setting): the core follows. */
  updateBaseline(pipeline: string, change: BaselineChange): void {
    const b = this.baseline(pipeline);
    if (change.mode !== undefined) b.mode = change.mode;
    if (change.learningBuilds !== undefined) b.learningBuilds = change.learningBuilds;
    if (change.version !== undefined) b.version = Math.max(b.version, change.version);
    for (const d of change.addDomains ?? []) { b.domains.add(d); b.poisoned.delete(d); }
    for (const d of change.removeDomains ?? []) b.domains.delete(d);
    for (const t of change.addTools ?? []) b.tools.add(t);
    for (const t of change.removeTools ?? []) b.tools.delete(t);
  }

  /** An operator allowed `kind` alerts on `domain` for `pipeline` (the store has recorded it already). */
  allowDomain(pipeline: string, domain: string, kind: string): void {
    allowDomain(this.baseline(pipeline), domain, kind);
  }

  /** An operator took an allowance back (the store has recorded it already). */
  revokeAllowance(pipeline: string, domain: string, kind: string, unlearn: boolean): void {
    revokeAllowance(this.baseline(pipeline), domain, kind, unlearn);
  }

  /**
   * The store seals what the build taught into a version (when it teaches), or files what it
   * used that the baseline lacks as proposals (supervised), and marks the entries it used.
   */
  private seal(build: BuildState, timeUs: number, out: ApplyResult): void {
    out.baselineSeals ??= [];
    out.baselineSeals.push({
      pipeline: build.context.pipeline, buildId: build.context.buildId, timeUs, mode: this.baseline(build.context.pipeline).mode,
      teaches: build.teaches, tools: [...build.scriptTools],
    });
  }

  private endBuild(build: BuildState, timeUs: number, exitCode: number, nowUs: number, out: ApplyResult): void {
    if (build.endedUs !== null) return;
    build.endedUs = timeUs;
    build.exitCode = exitCode;
    out.buildsChanged.add(build.context.buildId);
    const baseline = this.baseline(build.context.pipeline);
    if (build.teaches) {
      baseline.learnedBuilds++;
      out.baselineLearned.push({ pipeline: baseline.pipeline, learnedBuilds: baseline.learnedBuilds });
    }
    this.seal(build, timeUs, out);
    // An ended build stays in memory a while: processes that outlive the build's command
    // (a detached payload) are still judged and their alerts land on the build.
    // The grace runs on the collector's clock, not the agent's.
    this.builds.markEnded(build, nowUs);
    out.buildsEnded ??= [];
    out.buildsEnded.push(build);
  }
}

/**
 * The build-script tools a process tree shows (`<script kind>:<tool>`), for a build reloaded
 * after a restart: what its scripts ran before it stays marked used. Processes in `judged`
 * (a detector alerted on them) are left out, as they are never learnt.
 */
export function scriptToolsOf(tree: ProcessTree, judged: ReadonlySet<number>): Set<string> {
  const tools = new Set<string>();
  for (const node of tree.all()) {
    if (tools.size >= MAX_BUILD_TOOLS) break;
    if (judged.has(node.pid) || node.exe === '') continue;
    const script = tree.buildScriptOf(tree.chain(node.pid));
    if (script === null || script.process.pid === node.pid) continue;
    const entry = normaliseEntry('tool', toolValue(script.kind, toolName(node.exe)));
    if (entry !== null) tools.add(entry.value);
  }
  return tools;
}

/** Per DNS query: one record per build, overwritten, not an object a query. */
function noteLastQuery(build: BuildState, pid: number, qname: string, domain: string | null): void {
  const q = (build.lastQuery ??= { pid, qname, domain });
  q.pid = pid;
  q.qname = qname;
  q.domain = domain;
}

function info(n: ProcessInfo): ProcessInfo {
  return { pid: n.pid, ppid: n.ppid, exe: n.exe, argv: n.argv, cwd: n.cwd, startTimeUs: n.startTimeUs };
}

