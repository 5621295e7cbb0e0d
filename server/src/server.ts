// Wires the collector: store, ingest core with detectors, gRPC ingest, HTTP API and WebSocket.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Store } from './adapters/store.js';
import { collectorMetrics } from './adapters/metrics.js';
import { StreamHub } from './adapters/stream-hub.js';
import { Collector } from './adapters/collector.js';
import { startGrpcServer } from './adapters/grpc-server.js';
import { AgentAuthenticator } from './adapters/agent-auth.js';
import { createHttpApi } from './adapters/http-api.js';
import { ConsoleStore } from './adapters/console-store.js';
import { BaselineStore } from './adapters/baseline-store.js';
import { GuardVerdictSink } from './adapters/guard-verdicts.js';
import { StatsRecorder } from './adapters/stats-recorder.js';
import { loadOperatorToken, type OperatorToken } from './adapters/operator-token.js';
import { ConsoleFiles, DEFAULT_CONSOLE_DIR } from './adapters/static-files.js';
import { IngestCore } from './core/ingest-core.js';
import { compileDetectors, type DetectorsConfig } from './core/detectors/index.js';
import type { ServerConfig } from './config.js';
import type { Logger } from './logger.js';
import { loadTyposquatJudge } from './adapters/typosquat-lists.js';

export interface RunningServer {
  httpUrl: string;
  grpcAddress: string;
  store: Store;
  operatorToken: OperatorToken;
  /** The console is built and served at httpUrl. */
  consoleBuilt: boolean;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  // Compiled first: a bad detector setting stops the collector before it opens anything.
  const detectors = compileDetectors(config.detectors as DetectorsConfig);
  mkdirSync(config.dataDir, { recursive: true });
  const store = new Store(join(config.dataDir, 'telltale.db'), { typosquat: loadTyposquatJudge(), log: log.child('lockfiles') });
  const metrics = collectorMetrics();
  const hub = new StreamHub(metrics);
  const maxOpenBuilds = 10_000;
  // Also how the collector recovers when a commit fails: the core is rebuilt from what the
  // store holds, so memory never runs ahead of the database.
  const loadCore = () => new IngestCore(
    { learningBuilds: config.learningBuilds, external: config.external, dnsPorts: new Set(config.dnsPorts), maxOpenBuilds },
    detectors,
    {
      baselines: store.loadBaselines(), nowUs: Date.now() * 1000,
      // Builds that ended in the last 15 minutes come back too: late events still count.
      openBuilds: store.loadOpenBuilds(maxOpenBuilds, (Date.now() - 15 * 60_000) * 1000),
    },
    store.lockfiles,
  );
  const stats = new StatsRecorder();
  const collector = new Collector(loadCore, store, metrics, hub, log.child('ingest'), stats);
  const operatorToken = loadOperatorToken(config.dataDir, config.operatorToken);
  const consoleFiles = new ConsoleFiles(DEFAULT_CONSOLE_DIR);
  const auth = new AgentAuthenticator({ sharedToken: config.ingestToken, agentTokens: config.agentTokens, clientCertificates: Boolean(config.tls?.clientCaPath) });
  const grpc = await startGrpcServer(config.grpcAddress, collector, store, metrics, log.child('grpc'), auth, config.tls);
  // Every new baseline version reaches the core's copy (supervised pipelines learn until their first).
  store.baselines.onVersion = (pipeline, version) => collector.updateBaseline(pipeline, { version });
  const guardSink = new GuardVerdictSink({
    db: store.db, chainOf: (buildId, pid) => collector.chainOf(buildId, pid), published: (alert, moved) => collector.publishAlert(alert, moved),
    countAlert: (buildId) => collector.countAlert(buildId),
  });
  const http = createHttpApi({
    guardSink,
    store, consoleStore: new ConsoleStore(store.db, store.baselines), metrics, hub, stats, log: log.child('http'), startedAt: Date.now(),
    learningBuilds: config.learningBuilds,
    allowDomain: (pipeline, domain, kind) => collector.allowDomain(pipeline, domain, kind),
    revokeAllowance: (pipeline, domain, kind, unlearn) => collector.revokeAllowance(pipeline, domain, kind, unlearn),
    updateBaseline: (pipeline, change) => collector.updateBaseline(pipeline, change),
    operatorToken: operatorToken.token, loopbackOnly: config.httpLoopbackOnly, consoleFiles,
  });
  // One tick a second feeds the console's live chart (kept for GET /api/stats, pushed to the stream).
  const statsTimer = setInterval(() => {
    const tick = stats.tick(Date.now(), collector.openBuilds);
    hub.broadcast({ type: 'stats', tick });
  }, 1000);
  statsTimer.unref();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.httpPort, config.httpHost, () => resolve());
  });
  // Raw batches are the bulk of the database: prune them past the retention, hourly.
  // In chunks of 500 with the event loop free in between, so ingest is not held up.
  let pruning = false;
  const prune = async () => {
    if (config.retentionDays === 0 || pruning) return;
    pruning = true;
    const before = Date.now() * 1000 - config.retentionDays * 86_400_000_000;
    let removed = 0;
    try {
      for (let n = store.pruneBatches(before); n > 0 && !closed; n = store.pruneBatches(before)) {
        removed += n;
        await new Promise((r) => setImmediate(r));
      }
      for (let n = store.pruneGuardVerdicts(before); n > 0 && !closed; n = store.pruneGuardVerdicts(before)) {
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      pruning = false;
    }
    if (removed > 0) log.info('pruned raw event batches past retention', { removed, retentionDays: config.retentionDays });
  };
  // Baseline entries no build used for the expiry leave their baseline (a version each), hourly.
  const expire = () => {
    try {
      // Entries of teaching builds that will never end (evicted, silent for a day) join the history.
      store.baselines.sealOrphans((buildId) => collector.holds(buildId), Date.now() * 1000);
      if (config.baselineExpiryDays === 0) return;
      for (const e of store.baselines.expire(Date.now() * 1000, config.baselineExpiryDays * 86_400_000_000)) {
        collector.updateBaseline(e.pipeline, BaselineStore.coreChange([], e.removed, e.version));
        log.info('baseline entries expired', { pipeline: e.pipeline, version: e.version, removed: e.removed.length });
      }
    } catch (err) {
      log.error('baseline expiry failed', { error: String(err) });
    }
  };
  let closed = false;
  void prune();
  expire();
  const pruneTimer = setInterval(() => { void prune(); expire(); }, 3_600_000);
  pruneTimer.unref();
  const addr = http.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const grpcHost = config.grpcAddress.replace(/:\d+$/, '');
  return {
    httpUrl: `http://${host}:${addr.port}`,
    grpcAddress: `${grpcHost}:${grpc.port}`,
    store,
    operatorToken,
    consoleBuilt: consoleFiles.built,
    async close() {
      closed = true;
      clearInterval(pruneTimer);
      clearInterval(statsTimer);
      guardSink.close();
      hub.close();
      await grpc.close();
      await new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); });
      store.close();
    },
  };
}
