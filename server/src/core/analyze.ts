// Offline analysis: the same ingest core and detectors over a captured event stream,
// in memory. Used by `telltale analyze` and by tests that replay fixtures.
import type { TelltaleEvent } from '@telltale/proto';
import { IngestCore } from './ingest-core.js';
import { compileDetectors } from './detectors/index.js';
import { parseCidr } from './address.js';

export interface AnalyzedAlert {
  kind: string;
  severity: string;
  buildId: string;
  pipeline: string;
  qname: string | null;
  domain: string | null;
  address: string | null;
  chain: { pid: number; exe: string; argv: string[] }[];
  evidence: Record<string, unknown>;
  timeUs: number;
}

export interface AnalyzeOptions {
  learningBuilds?: number;
  external?: string[];
  dnsPorts?: number[];
}

export function analyzeEvents(events: Iterable<TelltaleEvent>, options: AnalyzeOptions = {}): { alerts: AnalyzedAlert[]; drops: Record<string, number> } {
  const core = new IngestCore(
    {
      // A lone capture has no baseline to compare with: by default it is the learning build, so
      // first_seen_domain stays quiet and every other detector judges it.
      learningBuilds: options.learningBuilds ?? 1,
      external: (options.external ?? []).map((c) => parseCidr(c)).filter((c) => c !== null),
      dnsPorts: new Set([53, ...(options.dnsPorts ?? [])]),
      maxOpenBuilds: 10_000,
    },
    compileDetectors({}),
  );
  const alerts: AnalyzedAlert[] = [];
  const drops: Record<string, number> = {};
  let chunk: TelltaleEvent[] = [];
  const flush = () => {
    const r = core.apply(chunk, chunk[chunk.length - 1]?.timeUs ?? 0);
    for (const d of r.findings) {
      alerts.push({
        kind: d.finding.kind, severity: d.finding.severity, buildId: d.finding.buildId, pipeline: d.context.pipeline,
        qname: d.finding.qname, domain: d.finding.domain, address: d.finding.address,
        chain: d.chain.map((p) => ({ pid: p.pid, exe: p.exe, argv: p.argv })), evidence: d.finding.evidence, timeUs: d.timeUs,
      });
    }
    for (const [reason, n] of r.drops) drops[reason] = (drops[reason] ?? 0) + n;
    chunk = [];
  };
  for (const e of events) {
    chunk.push(e);
    if (chunk.length >= 1000) flush();
  }
  flush();
  return { alerts, drops };
}
