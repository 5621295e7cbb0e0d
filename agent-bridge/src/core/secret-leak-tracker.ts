// Per build, the fingerprints of its secret-like environment variables and how much of each
// value its DNS queries have carried so far. Turns a query into `secret_match` events: a
// variable's first once its coverage is worth telling, then one per 10% step more (bounded
// chatter). Names and byte counts leave; values and their pieces never do. What it could not
// index or check is counted per build, so the agent can mark that build incomplete rather than
// clean. Pure: the keyed hash, the environment, the clock and a liveness check are handed in.
import type { SecretMatchEvent } from '@telltale/proto';
import { compileSecretNames, fingerprintSecrets, matchLabels, type LeakState, type PieceHash, type SecretIndex, type SecretSpec } from './secret-fingerprints.js';
import { readSentNames } from './dns-sent-names.js';
import { SecretCheckBudget } from './secret-check-budget.js';

export interface SecretLeakLimits {
  minBytes: number;
  minFraction: number;
  reportStep: number;
  maxBuilds: number;
  maxValueBytes: number;
  maxBuildValueBytes: number;
  maxEnvironmentsPerBuild: number;
  piecesPerSecond: number;
  checkedQueries: number;
}

export const SECRET_LEAK_LIMITS: Readonly<SecretLeakLimits> = Object.freeze({
  /** A variable is reported once its queries carry this many bytes of it... */
  minBytes: 8,
  /** ...or this fraction of it, whichever is smaller. */
  minFraction: 0.25,
  /** After the first report, another only when coverage reaches the next step of this size. */
  reportStep: 0.1,
  /** Builds whose secrets are indexed at once; when full, ended builds and builds whose processes are all gone give way. */
  maxBuilds: 16,
  /** Values longer than this are not fingerprinted (a piece index grows ~18 entries a byte). */
  maxValueBytes: 4096,
  /** Bytes of values fingerprinted per build at most, over all its environments. */
  maxBuildValueBytes: 16 * 1024,
  /** Environments with new secrets (a CI job's steps) indexed per build; each one more is one more lookup a piece. */
  maxEnvironmentsPerBuild: 8,
  /** Pieces (one keyed hash and one map lookup each, ~0.1 µs) a build's queries may cost per second. */
  piecesPerSecond: 50_000,
  /** Queries per build remembered as checked: a repeat costs one hash. */
  checkedQueries: 4096,
});

/** What the collector accepts as a variable's name (printable ASCII, no space). */
const REPORTABLE_NAME = /^[\x21-\x7e]{1,256}$/;

interface IndexedBuild {
  /** One per environment indexed (a CI job's steps), each with the coverage its queries reached. */
  parts: { index: SecretIndex; state: LeakState }[];
  /** Per part and variable, the 10% step last reported. */
  reported: Map<string, number>;
  /** The build's command has ended (its lingering descendants are still matched). */
  ended: boolean;
  valueBytesLeft: number;
  variables: number;
  /** Keyed fingerprints of the name=value pairs indexed: a later step repeating the job's environment adds nothing. */
  indexedValues: Set<string>;
  budget: SecretCheckBudget;
  /** Queries not checked (over the budget) since last taken. */
  unchecked: number;
}

export interface IndexOutcome {
  /** Variables fingerprinted, by name. */
  variables: string[];
  /** Secret-like variables too short or too plain to fingerprint. */
  skipped: string[];
  /** Secret-like variables a bound left out (too long, over the build's budget, no free slot, unreportable name): the build cannot be judged on them. */
  notIndexed: string[];
}

export type DnsQueryInput = { pid: number; timeUs: number; packet: Uint8Array; response: boolean };

export class SecretLeakTracker {
  private readonly builds = new Map<string, IndexedBuild>();
  private readonly isSecret: (name: string) => boolean;
  /** Builds left (partly) unindexed because `maxBuilds` were indexed and none could give way. */
  buildsNotIndexed = 0;
  /** Slots taken back from builds that never ended but whose processes are all gone. */
  slotsReclaimed = 0;
  /** Secret-like variables a bound left out. */
  valuesNotIndexed = 0;
  /** Queries not checked because their build was over its budget. */
  queriesUnchecked = 0;

  constructor(private readonly hash: PieceHash, private readonly spec: SecretSpec, private readonly limits: Readonly<SecretLeakLimits> = SECRET_LEAK_LIMITS) {
    this.isSecret = compileSecretNames(spec);
  }

  get indexedBuilds(): number {
    return this.builds.size;
  }

  /**
   * Fingerprints (more of) a build's environment; the values are not kept. A later call for the
   * same build (a CI job's next step) adds the values not indexed yet. `isGone(buildId)`: every
   * process of that build has exited, so its slot may be taken when all are in use.
   */
  index(buildId: string, env: Iterable<readonly [string, string]>, isGone: (buildId: string) => boolean = () => false): IndexOutcome {
    const existing = this.builds.get(buildId);
    const kept: [string, string][] = [];
    const skipped: string[] = [];
    const notIndexed: string[] = [];
    const fingerprints: string[] = [];
    let bytesLeft = existing?.valueBytesLeft ?? this.limits.maxBuildValueBytes;
    let variables = existing?.variables ?? 0;
    for (const [name, value] of env) {
      if (!this.isSecret(name)) continue;
      if (value.length < this.spec.minLength || new Set(value).size < this.spec.minDistinct) {
        skipped.push(name);
        continue;
      }
      const fingerprint = this.hash(`${name}\0${value}`);
      if (existing?.indexedValues.has(fingerprint) || fingerprints.includes(fingerprint)) continue;
      const bytes = utf8Length(value);
      if (!REPORTABLE_NAME.test(name) || bytes > this.limits.maxValueBytes || bytes > bytesLeft || variables >= this.spec.maxVariables) {
        notIndexed.push(name);
        continue;
      }
      bytesLeft -= bytes;
      variables++;
      kept.push([name, value]);
      fingerprints.push(fingerprint);
    }
    const outcome: IndexOutcome = { variables: [], skipped, notIndexed };
    if (kept.length === 0) return this.counted(outcome);
    if (existing ? existing.parts.length >= this.limits.maxEnvironmentsPerBuild : !this.freeSlot(isGone)) {
      if (!existing) this.buildsNotIndexed++;
      return this.counted({ variables: [], skipped, notIndexed: [...notIndexed, ...kept.map(([name]) => name)] });
    }
    const index = fingerprintSecrets(kept, this.hash, this.spec);
    kept.length = 0;
    // A regexp's last match holds its subject (here a value) until the next match: replace it.
    /^/.exec('');
    outcome.variables = index.variables.map((v) => v.name);
    outcome.skipped.push(...index.skipped);
    if (index.variables.length === 0) return this.counted(outcome);
    const build: IndexedBuild = existing ?? {
      parts: [], reported: new Map(), ended: false, valueBytesLeft: 0, variables: 0, indexedValues: new Set<string>(),
      budget: new SecretCheckBudget(this.limits.piecesPerSecond, this.limits.checkedQueries), unchecked: 0,
    };
    build.parts.push({ index, state: new Map() });
    build.valueBytesLeft = bytesLeft;
    build.variables = variables;
    for (const f of fingerprints) build.indexedValues.add(f);
    // Queries checked before were checked against fewer fingerprints.
    build.budget.forget();
    this.builds.set(buildId, build);
    return this.counted(outcome);
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

  /**
   * A query a build's process sent: the secret_match events its labels warrant. A question over
   * the build's budget is not checked; it is counted (see `takeUnchecked`). `nowMs` paces the
   * budget (the event's own time when not given).
   */
  onDns(buildId: string, e: DnsQueryInput, nowMs = e.timeUs / 1000): SecretMatchEvent[] {
    if (e.response) return [];
    const build = this.builds.get(buildId);
    if (!build) return [];
    const out: SecretMatchEvent[] = [];
    const piece = build.parts[0]!.index.piece;
    for (const labels of readSentNames(e.packet)) {
      // Every piece of a label is a piece of the labels joined: the joined text alone is read.
      const text = labels.join('');
      if (text.length < piece) continue;
      const pieces = (text.length - piece + 1) * (text.toLowerCase() === text ? 1 : 2) * build.parts.length;
      // Keyed on the text as sent: a case variant of a checked query can still match a base64 form.
      const key = this.hash(text);
      if (build.budget.seen(key)) continue;
      if (!build.budget.take(pieces, nowMs)) {
        build.unchecked++;
        this.queriesUnchecked++;
        continue;
      }
      build.budget.checkedNow(key);
      build.parts.forEach((part, p) => {
        for (const leak of matchLabels(part.index, [text], this.hash, part.state)) {
          const threshold = Math.min(this.limits.minBytes, this.limits.minFraction * leak.valueBytes);
          if (leak.coveredBytes < threshold) continue;
          const step = Math.floor((leak.fraction + 1e-9) / this.limits.reportStep);
          const reportKey = `${p}\0${leak.variable}`;
          if (step <= (build.reported.get(reportKey) ?? -1)) continue;
          build.reported.set(reportKey, step);
          out.push({
            kind: 'secret_match', timeUs: e.timeUs, buildId, pid: e.pid, variable: leak.variable, encoding: leak.encoding,
            coveredBytes: leak.coveredBytes, valueBytes: leak.valueBytes,
          });
        }
      });
    }
    return out;
  }

  /** Per build, the queries left unchecked since the last call (then reset). */
  takeUnchecked(): [buildId: string, queries: number][] {
    const out: [string, number][] = [];
    for (const [buildId, b] of this.builds) {
      if (b.unchecked === 0) continue;
      out.push([buildId, b.unchecked]);
      b.unchecked = 0;
    }
    return out;
  }

  private counted(outcome: IndexOutcome): IndexOutcome {
    this.valuesNotIndexed += outcome.notIndexed.length;
    return outcome;
  }

  /** Room for one more build: an ended build gives way first (oldest first), then one whose processes are gone. */
  private freeSlot(isGone: (buildId: string) => boolean): boolean {
    if (this.builds.size < this.limits.maxBuilds) return true;
    for (const [id, b] of this.builds) {
      if (!b.ended) continue;
      this.builds.delete(id);
      return true;
    }
    for (const id of this.builds.keys()) {
      if (!isGone(id)) continue;
      this.builds.delete(id);
      this.slotsReclaimed++;
      return true;
    }
    return false;
  }
}

/** UTF-8 bytes of a string, without encoding it (no copy of a value left behind). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
