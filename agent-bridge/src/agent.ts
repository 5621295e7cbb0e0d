// Wires the agent: an event source (bpftrace, Tetragon or Falco) → build tracker → batcher → spool → forwarder, plus
// the control socket `telltale run` uses. The I/O lives here and in adapters; the decisions
// (which build an event belongs to, when a batch is due) are made by the pure core.
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BuildContext, TelltaleEvent } from '@telltale/proto';
import type { AgentConfig } from './config.js';
import { Spool, SPOOL_FILE } from './adapters/spool.js';
import { Forwarder } from './adapters/forwarder.js';
import { agentIdentity } from './adapters/agent-identity.js';
import { isProcessRunning, readCwd, readEnviron, readEnvironBytes, readParentPid } from './adapters/proc-reader.js';
import { scanLockfilesOf } from './adapters/lockfile-scanner.js';
import { LockfileMemory } from './core/lockfile-memory.js';
import { allowlistedEnv, workspaceFromEnv } from './core/ci-runner.js';
import { newPieceHash } from './adapters/secret-keyring.js';
import { SecretLeakTracker } from './core/secret-leak-tracker.js';
import { compileSecretNames, SECRET_DEFAULTS } from './core/secret-fingerprints.js';
import { parseEnvironBlock } from './core/environ-block.js';
import { startSource } from './adapters/sources/start-source.js';
import type { RunningSource } from './adapters/sources/running-source.js';
import { startControlServer } from './adapters/control-server.js';
import { BuildTracker } from './core/build-tracker.js';
import { Batcher } from './core/batcher.js';
import type { HostEvent } from './core/host-event.js';
import type { EndBuildRequest, RegisterBuildRequest } from './core/control-messages.js';
import { ControlError } from './core/control-messages.js';
import { ExitWatch } from './adapters/exit-watch.js';
import { CiJobWatch } from './adapters/ci-job-watch.js';
import type { CiContext } from './core/ci-context.js';

export interface AgentLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface RunningAgent {
  agentId: string;
  controlSocket: string;
  status(): Record<string, unknown>;
  close(): Promise<void>;
}

/** How long after CMD exits the agent waits for its source to hand over its last events. */
const EXIT_WAIT_MS = 2000;
const HOST_BUILD_PREFIX = 'host:';
/** How long registering a build waits for its lockfile scan (the CLI waits 5 s for an answer). */
const REGISTER_SCAN_WAIT_MS = 3000;
/** How long descendants that outlive a build's command are still attributed to it. */
const LINGER_MS = 10 * 60_000;

function procImage(pid: number): { exe: string; argv: string[]; cwd: string } | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0').filter((a, i, all) => i < all.length - 1 || a !== '');
    return { exe: readlinkSync(`/proc/${pid}/exe`), argv: argv.slice(0, 256).map((a) => a.slice(0, 4096)), cwd: readCwd(pid) ?? '' };
  } catch {
    return null;
  }
}

export async function startAgent(config: AgentConfig, log: AgentLogger): Promise<RunningAgent> {
  mkdirSync(config.dataDir, { recursive: true });
  const { agentId, tls } = agentIdentity(config, SPOOL_FILE);
  const spool = Spool.open({ dir: config.dataDir, agentId, maxBytes: config.spoolMaxBytes });
  const forwarder = new Forwarder({ address: config.collectorAddress, agentId, spool, token: config.ingestToken, tls });
  forwarder.start();
  const batcher = new Batcher({ maxEvents: 1000, maxBytes: 1024 * 1024, maxAgeMs: 20 });
  const tracker = new BuildTracker({ lookupParent: (pid) => readParentPid(pid) });
  const exits = new ExitWatch();
  const builds = new Map<string, BuildContext>();
  // Processes of each build seen starting and not yet exiting: when the build's command
  // ends, any still here are descendants that outlive it (a detached payload, a daemon).
  const members = new Map<string, Set<number>>();
  const rootPids = new Map<string, number>();
  const counters = {
    events: 0, unassigned: 0, spoolOverflow: 0, secretMatches: 0, secretStepsIndexed: 0, secretEnvironsUnread: 0,
    lockfileScans: 0, lockfileScansFailed: 0, lockfilesReported: 0,
  };
  // Fingerprints of each build's secrets, under a key that lives only in this process.
  const secretSpec = { ...SECRET_DEFAULTS, namePatterns: config.secretFingerprints.namePatterns };
  const isSecretName = compileSecretNames(secretSpec);
  const secrets = config.secretFingerprints.enabled ? new SecretLeakTracker(newPieceHash(), secretSpec) : null;
  /** Every process of the build has exited (its secret slot may go to another build). */
  const buildGone = (buildId: string): boolean => {
    const root = rootPids.get(buildId);
    if (root !== undefined && isProcessRunning(root)) return false;
    for (const pid of members.get(buildId) ?? []) if (isProcessRunning(pid)) return false;
    return true;
  };
  /** What the build's queries cannot be checked against: the build is incomplete, not clean. */
  const secretsLost = (buildId: string, count: number) => {
    add({ kind: 'loss', timeUs: nowUs(), buildId, source: 'agent', reason: 'secrets_not_indexed', count });
  };
  /**
   * Reads a process's environment in memory and keeps only fingerprints of the build's secrets
   * (names are logged, never values); called for a build's root and for each step of a CI job.
   */
  const indexSecrets = (buildId: string, environPid: number, step = false) => {
    if (!secrets) return;
    const block = readEnvironBytes(environPid);
    if (block === null) {
      counters.secretEnvironsUnread++;
      // A CI step that was over before its exec reached us (`run: echo ...`) is common: counted
      // and logged, not a loss, or most jobs would read as incomplete. A build's root waits
      // for its build (telltale run), so its environment going unread is one.
      if (!step) secretsLost(buildId, 1);
      log[step ? 'info' : 'warn']('build environment not read (the process is gone): its secrets are not fingerprinted', { buildId, pid: environPid });
      return;
    }
    let outcome;
    try {
      outcome = secrets.index(buildId, parseEnvironBlock(block, isSecretName), buildGone);
    } finally {
      block.fill(0);
    }
    const { variables, skipped, notIndexed } = outcome;
    if (variables.length || skipped.length) log.info('build secrets fingerprinted', { buildId, pid: environPid, variables, skipped });
    if (notIndexed.length) {
      secretsLost(buildId, notIndexed.length);
      log.warn('build secrets not fingerprinted: over the agent\'s bounds', { buildId, pid: environPid, notIndexed, indexedBuilds: secrets.indexedBuilds });
    }
  };
  const nowUs = () => Date.now() * 1000;

  // The lockfiles of each build's workspace, reported before its commands run (content once
  // per change per pipeline), so the collector can say how a package got into the build. The
  // scan runs in a child process as the build's user; scans of one build run one at a time.
  const lockfiles = config.recordLockfiles ? new LockfileMemory() : null;
  const lockfileScans = new Map<string, Promise<void>>();
  const reportLockfiles = (buildId: string, pid: number, workspace: string | null): Promise<void> => {
    const context = builds.get(buildId);
    if (!lockfiles || !context || !workspace) return Promise.resolve();
    const scan = () => scanOnce().catch((err: unknown) => log.error('lockfile scan failed', { buildId, error: String(err) }));
    const scanOnce = async () => {
      const outcome = await scanLockfilesOf(pid, workspace, lockfiles.known(buildId, context.pipeline, Date.now()));
      counters.lockfileScans++;
      if (!outcome.ok) {
        counters.lockfileScansFailed++;
        log.warn('lockfiles of the workspace not read', { buildId, workspace, reason: outcome.reason });
        return;
      }
      // A CI job that ended while its scan ran: its build is closed, its lockfiles not told.
      if (!builds.has(buildId)) return;
      for (const f of outcome.scan.files) {
        // A lockfile's content travels in a batch of its own: a scan's worth could pass the
        // collector's batch limit.
        if (f.content) flush();
        add({
          kind: 'lockfile', timeUs: nowUs(), buildId, path: f.path, workspace, sha256: f.sha256, size: f.size, content: f.content, omitted: f.omitted,
          scanIncomplete: outcome.scan.truncated,
        });
        // Remembered as sent before the flush: a spool overflow there forgets it again.
        lockfiles.queued(buildId, context.pipeline, f, f.content !== null, Date.now());
        if (f.content) flush();
        counters.lockfilesReported++;
      }
      const { skipped, truncated } = outcome.scan;
      if (truncated || skipped) log.warn('lockfiles in the workspace not all reported', { buildId, workspace, reported: outcome.scan.files.length, skipped, truncated });
    };
    const next = (lockfileScans.get(buildId) ?? Promise.resolve()).then(scan, scan).finally(() => {
      if (lockfileScans.get(buildId) === next) lockfileScans.delete(buildId);
    });
    lockfileScans.set(buildId, next);
    return next;
  };
  /** A CI step's workspace: the checkout its CI names, else the step's own directory. */
  const ciWorkspace = (pid: number): string | null => {
    const environ = readEnviron(pid);
    return (environ !== null ? workspaceFromEnv(allowlistedEnv(environ)) : null) ?? readCwd(pid);
  };

  let source: RunningSource | undefined;
  const flush = () => {
    if (batcher.count === 0) return;
    // The source's position goes in the same transaction as the events it led to.
    const seq = spool.append(batcher.take(), source?.position());
    if (seq === null) {
      counters.spoolOverflow++;
      // Content the collector may now never get is sent again at the next scan.
      lockfiles?.forgetSent();
    }
    forwarder.notify();
  };
  // While a source record's events are being handled, a full batch waits for the record's
  // end: a batch never holds part of a record, so the position stored with it is exact.
  let inRecord = false;
  let full = false;
  const add = (e: TelltaleEvent) => {
    counters.events++;
    if (batcher.add(e, performance.now())) {
      if (inRecord) full = true;
      else flush();
    }
  };
  // Lines from different CPUs interleave: a forked (not exec'd) child's DNS packet can be
  // read before its parent's FORK line, and once the child has exited /proc cannot say whose
  // it was. A DNS or connect event no build claims, while builds are open, is held and tried
  // again for a moment before it is counted as unassigned.
  let held: { e: HostEvent; atMs: number }[] = [];
  const HOLD_MS = 500;
  const retryHeld = (force: boolean) => {
    if (held.length === 0) return;
    const now = performance.now();
    const again = held;
    held = [];
    for (const h of again) {
      if (route(h.e)) continue;
      if (!force && now - h.atMs < HOLD_MS) held.push(h);
      else counters.unassigned++;
    }
  };
  /** Tags and adds the event when a build claims it. */
  const route = (e: HostEvent): boolean => {
    const buildId = tracker.assign(e);
    if (buildId === null) return false;
    const live = members.get(buildId);
    if (live) {
      if (e.kind === 'fork' || e.kind === 'exec') live.add(e.pid);
      else if (e.kind === 'exit') live.delete(e.pid);
    }
    // The host event is ours alone: tag it in place (a spread copy costs ~2 µs on Node 20).
    const tagged = e as TelltaleEvent;
    tagged.buildId = buildId;
    add(tagged);
    if (secrets && e.kind === 'dns' && !e.response) {
      for (const m of secrets.onDns(buildId, e, performance.now())) {
        counters.secretMatches++;
        add(m);
      }
    }
    return true;
  };
  // Only bpftrace needs unclaimed events held (lines from different CPUs interleave); a
  // source that can be re-read must have every event of a record in the spool with its position.
  const holdUnclaimed = config.source.kind === 'bpftrace';
  const handle = (events: HostEvent[]) => {
    inRecord = true;
    try {
      handleRecord(events);
    } finally {
      inRecord = false;
      if (full) {
        full = false;
        flush();
      }
    }
  };
  const handleRecord = (events: HostEvent[]) => {
    for (const e of events) {
      if (e.kind === 'exit') exits.exited(e.pid);
      if (e.kind === 'loss') {
        // A source-wide loss may have hit any build: every open build is marked incomplete
        // (gathered and reported on the next tick, so a flood of bad lines is a few events).
        const key = `${e.source}\0${e.reason}`;
        pendingLoss.set(key, (pendingLoss.get(key) ?? 0) + e.count);
        continue;
      }
      if (e.kind === 'exec' && ciJobs) {
        const found = ciJobs.started(e.pid, e.ppid);
        if (found?.kind === 'job') startCiJob(found.context, found.rootPid, e.pid, found.workspace);
        else if (found?.kind === 'step') indexCiStep(found.rootPid, found.pid);
      }
      // Every exit is told (a pid seen as no executor may be reused by one); a job's root
      // exit ends its build once the exit itself is in the build.
      const endsJob = e.kind === 'exit' && ciJobs !== null && ciJobs.exited(e.pid);
      if (route(e)) {
        if (endsJob) endCiJob(e.pid, e.exitCode);
        continue;
      }
      if (endsJob) endCiJob(e.pid, e.exitCode);
      // Only what detectors judge is held (host-wide forks are too many to hold); bounded.
      if (holdUnclaimed && builds.size > 0 && (e.kind === 'dns' || e.kind === 'connect') && held.length < 2000) held.push({ e, atMs: performance.now() });
      else counters.unassigned++;
    }
  };

  // What sources lost or could not read are events lost to every open build: they are
  // reported as loss events, so those builds show incomplete coverage rather than clean.
  const pendingLoss = new Map<string, number>();
  // Likewise when the tracker had to forget a live build member to stay within its bound:
  // that process's later events may no longer be attributed to its build.
  let evictionsReported = 0;
  const reportUnread = (secretChecks = true) => {
    // Queries a flooding build sent over its secret-check budget: gathered, told once a second.
    if (secrets && secretChecks) {
      for (const [buildId, count] of secrets.takeUnchecked()) add({ kind: 'loss', timeUs: nowUs(), buildId, source: 'agent', reason: 'secret_check_budget', count });
    }
    if (builds.size === 0) {
      pendingLoss.clear();
      return;
    }
    for (const [key, count] of pendingLoss) {
      const [lossSource, reason] = key.split('\0') as [string, string];
      for (const buildId of builds.keys()) add({ kind: 'loss', timeUs: nowUs(), buildId, source: lossSource, reason, count });
    }
    pendingLoss.clear();
    const evicted = tracker.evictedLiveMembers - evictionsReported;
    if (evicted > 0) {
      for (const buildId of builds.keys()) add({ kind: 'loss', timeUs: nowUs(), buildId, source: 'agent', reason: 'tracker_eviction', count: evicted });
      evictionsReported += evicted;
    }
  };
  let ticks = 0;
  const timer = setInterval(() => {
    // Held events are tried again every 50 ms (a retry may read /proc), for up to HOLD_MS.
    if (++ticks % 5 === 0) retryHeld(false);
    reportUnread(ticks % 100 === 0);
    if (batcher.due(performance.now())) flush();
    // A file source may remember its position once everything it handed over is spooled.
    if (ticks % 20 === 0) {
      const spooled = spool.sourcePosition();
      if (spooled !== null) source?.committed(spooled);
    }
  }, 10);

  /** `environPid`: the process whose environment holds the build's secrets (its root, or a CI job's first step). */
  const startBuild = (context: BuildContext, rootPid: number, environPid: number | null = rootPid) => {
    builds.set(context.buildId, context);
    members.set(context.buildId, new Set());
    rootPids.set(context.buildId, rootPid);
    tracker.register(context.buildId, rootPid);
    add({ kind: 'build_start', timeUs: nowUs(), buildId: context.buildId, context, rootPid });
    // The root exec'd before it was tracked: describe it from /proc so chains start there.
    const image = procImage(rootPid);
    if (image) {
      add({ kind: 'exec', timeUs: nowUs(), buildId: context.buildId, pid: rootPid, ppid: readParentPid(rootPid) ?? 0, ...image, uid: process.getuid?.() ?? 0,
        startTimeUs: nowUs(), argvTruncated: false });
    }
    // After build_start: a loss for secrets not indexed belongs to a build the collector knows.
    if (environPid !== null) indexSecrets(context.buildId, environPid);
    // A CI job is found while its first record is handled: the batch waits for the record's end.
    if (inRecord) full = true;
    else flush();
  };

  // CI jobs found on this host (no `telltale run` needed): started from their executor's child,
  // ended by their root's exit.
  const ciJobs = config.watchCiJobs ? new CiJobWatch() : null;
  const ciRoots = new Map<number, string>();
  /** `workspace`: the checkout the job's variables name (read with them), else the step's directory. */
  const startCiJob = (ci: CiContext, rootPid: number, stepPid: number, workspace: string | null) => {
    // Under Tetragon a job in a Kubernetes runner pod is named with its pod and container too.
    const pod = source?.podOf?.(stepPid) ?? source?.podOf?.(rootPid);
    const context: BuildContext = {
      buildId: randomUUID(), ...ci, agentHost: config.hostName,
      ...(pod ? { k8sNamespace: pod.namespace, k8sPod: pod.name, k8sContainer: pod.container } : {}),
    };
    startBuild(context, rootPid, stepPid);
    void reportLockfiles(context.buildId, stepPid, workspace ?? readCwd(stepPid));
    ciRoots.set(rootPid, context.buildId);
    log.info('CI job found', { buildId: context.buildId, provider: ci.ciProvider, pipeline: ci.pipeline, runId: ci.runId, job: ci.job, rootPid });
  };
  /** A later step of a job (GitHub, Buildkite): its own `env:` may hold secrets the first step's did not. */
  const indexCiStep = (rootPid: number, stepPid: number) => {
    const buildId = ciRoots.get(rootPid);
    if (!buildId) return;
    counters.secretStepsIndexed++;
    indexSecrets(buildId, stepPid, true);
    // A step may have checked the repository out, or changed a lockfile: what changed is reported.
    void reportLockfiles(buildId, stepPid, ciWorkspace(stepPid));
  };
  const endCiJob = (rootPid: number, exitCode: number) => {
    const buildId = ciRoots.get(rootPid);
    if (!buildId) return;
    ciRoots.delete(rootPid);
    retryHeld(true);
    reportUnread();
    add({ kind: 'build_end', timeUs: nowUs(), buildId, exitCode });
    flush();
    builds.delete(buildId);
    secrets?.ended(buildId);
    lockfiles?.ended(buildId);
    log.info('CI job ended', { buildId, exitCode });
    setTimeout(() => {
      tracker.unregister(buildId);
      members.delete(buildId);
      rootPids.delete(buildId);
      secrets?.drop(buildId);
    }, LINGER_MS).unref();
  };

  if (config.watchHost) {
    startBuild({ buildId: `${HOST_BUILD_PREFIX}${config.hostName}:${agentId}`, pipeline: `host/${config.hostName}`, runId: new Date().toISOString(), job: 'host',
      repo: '', commit: '', agentHost: config.hostName, ciProvider: 'host' }, 1, null);
  }

  try {
    source = await startSource(config, handle, log, spool.sourcePosition());
  } catch (err) {
    clearInterval(timer);
    forwarder.close();
    spool.close();
    throw err;
  }
  const events = source;

  const control = await startControlServer(config.controlSocket, {
    async register(req: RegisterBuildRequest) {
      const context: BuildContext = {
        buildId: randomUUID(), pipeline: req.pipeline || 'local', runId: req.runId ?? '', job: req.job ?? '', repo: req.repo ?? '',
        commit: req.commit ?? '', agentHost: config.hostName, ciProvider: req.ciProvider ?? 'local',
      };
      startBuild(context, req.rootPid);
      // `telltale run` waits for this answer before it starts the command: the lockfiles are
      // read as the build found them (its directory is the workspace). Not for long: the CLI
      // gives up on a silent agent after 5 s, and a slow scan goes on in the background.
      await Promise.race([reportLockfiles(context.buildId, req.rootPid, readCwd(req.rootPid)), new Promise((r) => setTimeout(r, REGISTER_SCAN_WAIT_MS).unref())]);
      log.info('build started', { buildId: context.buildId, pipeline: context.pipeline, rootPid: req.rootPid });
      return { buildId: context.buildId, context: { ...context } };
    },
    async end(buildId: string, req: EndBuildRequest) {
      if (!builds.has(buildId)) throw new ControlError('CONTROL_NOT_FOUND', 'no such build');
      // Wait for the command's own exit record, then for a barrier across every CPU's buffer:
      // after both, everything the command and its reaped children did has been read.
      if (req.commandPid > 0) await exits.waitFor(req.commandPid, EXIT_WAIT_MS);
      // The command's exit may be read before what its children did (bpftrace: on other CPUs).
      const drained = await events.drain(EXIT_WAIT_MS);
      if (!drained) log.warn('source drain timed out; late events still count', { buildId, source: events.name });
      events.flush();
      retryHeld(true);
      reportUnread();
      add({ kind: 'build_end', timeUs: nowUs(), buildId, exitCode: req.exitCode });
      flush();
      builds.delete(buildId);
      secrets?.ended(buildId);
      lockfiles?.ended(buildId);
      // Still running now, by /proc: an exit record read before its own fork record (lines from
      // different CPUs interleave) would otherwise leave a finished process looking alive.
      // The root (`telltale run` itself) is alive by design, waiting for this answer.
      const lingering = [...(members.get(buildId) ?? [])].filter((pid) => pid !== rootPids.get(buildId) && isProcessRunning(pid));
      // Descendants that outlive the command stay tracked for a while: what they do still
      // reaches the collector, which keeps the ended build open for late events.
      setTimeout(() => {
        tracker.unregister(buildId);
        members.delete(buildId);
        rootPids.delete(buildId);
        secrets?.drop(buildId);
      }, LINGER_MS).unref();
      const overflowed = spool.overflowed().unreported.some((o) => o.buildId === buildId);
      const sequence = spool.lastSequence();
      const result = await forwarder.endBuild(buildId, sequence, req.waitMs).catch((err: Error) => {
        log.warn('no verdict from the collector', { buildId, error: err.message });
        return { complete: false, lostEvents: 0, alerts: [] };
      });
      const verdict = { ...result, complete: result.complete && !overflowed, lingeringProcesses: lingering.length };
      log.info('build ended', { buildId, alerts: result.alerts.length, complete: verdict.complete, lostEvents: result.lostEvents, lingering: lingering.length });
      return verdict;
    },
    status: () => status(),
  });

  const status = () => ({
    agentId, collector: config.collectorAddress, openBuilds: builds.size, ...counters,
    trackerEvictedLive: tracker.evictedLive, trackerEvictedLiveMembers: tracker.evictedLiveMembers,
    secretIndexedBuilds: secrets?.indexedBuilds ?? 0, secretBuildsNotIndexed: secrets?.buildsNotIndexed ?? 0,
    secretSlotsReclaimed: secrets?.slotsReclaimed ?? 0, secretValuesNotIndexed: secrets?.valuesNotIndexed ?? 0,
    secretQueriesUnchecked: secrets?.queriesUnchecked ?? 0,
    source: events.name, drops: events.drops(), spool: spool.stats(), forwarder: forwarder.counters(),
  });

  return {
    agentId,
    controlSocket: config.controlSocket,
    status,
    async close() {
      await control.close();
      await events.stop();
      clearInterval(timer);
      reportUnread();
      flush();
      const spooled = spool.sourcePosition();
      if (spooled !== null) events.committed(spooled);
      await forwarder.drain(2000);
      forwarder.close();
      spool.close();
    },
  };
}
