// Per build, the fingerprints of its secret-like environment variables and how much of each
// value its DNS queries have carried so far. Turns a query into `secret_match` events: a
// variable's first once its coverage is worth telling, then one per 10% step more (bounded
// chatter). Names and byte counts leave; values and their pieces never do. Pure: the keyed
// hash and the environment are handed in.
import type { SecretMatchEvent } from '@telltale/proto';
import { compileSecretNames, fingerprintSecrets, matchLabels, type LeakState, type PieceHash, type SecretIndex, type SecretSpec } from './secret-fingerprints.js';
import { readQuestionLabels } from './dns-question-labels.js';

export interface SecretLeakLimits {
  minBytes: number;
  minFraction: number;
  reportStep: number;
  maxBuilds: number;
  maxValueBytes: number;
  maxBuildValueBytes: number;
}

export const SECRET_LEAK_LIMITS: Readonly<SecretLeakLimits> = Object.freeze({
  /** A variable is reported once its queries carry this many bytes of it... */
  minBytes: 8,
  /** ...or this fraction of it, whichever is smaller. */
  minFraction: 0.25,
  /** After the first report, another only when coverage reaches the next step of this size. */
  reportStep: 0.1,
  /** Builds whose secrets are indexed at once; later builds go unindexed (counted). */
  maxBuilds: 16,
  /** Values longer than this are not fingerprinted (a piece index grows ~18 entries a byte). */
  maxValueBytes: 4096,
  /** Bytes of values fingerprinted per build at most. */
  maxBuildValueBytes: 16 * 1024,
});

/** What the collector accepts as a variable's name (printable ASCII, no space). */
const REPORTABLE_NAME = /^[\x21-\x7e]{1,256}$/;

interface IndexedBuild {
  index: SecretIndex;
  state: LeakState;
  /** Per variable, the 10% step last reported. */
  reported: Map<string, number>;
  /** The build's command has ended (its lingering descendants are still matched). */
  ended: boolean;
}

export interface IndexOutcome {
  /** Variables fingerprinted, by name. */
  variables: string[];
  /** Secret-like variables left out (too short, too plain, too long, over the build's budget, unreportable name). */
  skipped: string[];
}

export type DnsQueryInput = { pid: number; timeUs: number; packet: Uint8Array; response: boolean };

export class SecretLeakTracker {
  private readonly builds = new Map<string, IndexedBuild>();
  private readonly isSecret: (name: string) => boolean;
  /** Builds not indexed because `maxBuilds` were already. */
  buildsNotIndexed = 0;

  constructor(private readonly hash: PieceHash, private readonly spec: SecretSpec, private readonly limits: Readonly<SecretLeakLimits> = SECRET_LEAK_LIMITS) {
    this.isSecret = compileSecretNames(spec);
  }

  get indexedBuilds(): number {
    return this.builds.size;
  }

  /**
   * Fingerprints a build's environment; the values are not kept. Null when the build is not
   * indexed (already indexed, or `maxBuilds` reached), or when it holds no secret to look for.
   */
  index(buildId: string, env: Iterable<readonly [string, string]>): IndexOutcome | null {
    if (this.builds.has(buildId)) return null;
    if (this.builds.size >= this.limits.maxBuilds) {
      // An ended build (kept for its lingering processes) gives way first, oldest first.
      const ended = [...this.builds].find(([, b]) => b.ended);
      if (!ended) {
        this.buildsNotIndexed++;
        return null;
      }
      this.builds.delete(ended[0]);
    }
    const kept: [string, string][] = [];
    const skipped: string[] = [];
    let budget = this.limits.maxBuildValueBytes;
    for (const [name, value] of env) {
      if (!this.isSecret(name)) continue;
      const bytes = utf8Length(value);
      if (!REPORTABLE_NAME.test(name) || bytes > this.limits.maxValueBytes || bytes > budget) {
        skipped.push(name);
        continue;
      }
      budget -= bytes;
      kept.push([name, value]);
    }
    const index = fingerprintSecrets(kept, this.hash, this.spec);
    kept.length = 0;
    const outcome = { variables: index.variables.map((v) => v.name), skipped: [...skipped, ...index.skipped] };
    if (index.variables.length > 0) this.builds.set(buildId, { index, state: new Map(), reported: new Map(), ended: false });
    return outcome;
  }

  /** The build's command ended: its fingerprints stay for lingering processes, but give way to new builds. */
  ended(buildId: string): void {
    const b = this.builds.get(buildId);
    if (b) b.ended = true;
  }

  /** The build is forgotten: its fingerprints and coverage go. */
  drop(buildId: string): void {
    this.builds.delete(buildId);
  }

  /** A query a build's process sent: the secret_match events its labels warrant. */
  onDns(buildId: string, e: DnsQueryInput): SecretMatchEvent[] {
    if (e.response) return [];
    const build = this.builds.get(buildId);
    if (!build) return [];
    const out: SecretMatchEvent[] = [];
    for (const labels of readQuestionLabels(e.packet)) {
      for (const leak of matchLabels(build.index, labels, this.hash, build.state)) {
        const threshold = Math.min(this.limits.minBytes, this.limits.minFraction * leak.valueBytes);
        if (leak.coveredBytes < threshold) continue;
        const step = Math.floor((leak.fraction + 1e-9) / this.limits.reportStep);
        if (step <= (build.reported.get(leak.variable) ?? -1)) continue;
        build.reported.set(leak.variable, step);
        out.push({
          kind: 'secret_match', timeUs: e.timeUs, buildId, pid: e.pid, variable: leak.variable, encoding: leak.encoding,
          coveredBytes: leak.coveredBytes, valueBytes: leak.valueBytes,
        });
      }
    }
    return out;
  }
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
