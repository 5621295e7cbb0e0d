// Baselines: versions and their diffs, a build held against its baseline, approval of
// proposed entries, learning settings, and what the baseline turns into (the DNS guard's
// allowlist, policies for Tetragon, Falco, resolvers, nftables and CI).
import type { BaselineEntryRef, BaselineVersionDiff, BuildBaselineDiff, GuardAllowlist } from '@telltale/proto';
import { HttpError, text } from '../http-query.js';
import { bodyActor, bodyText } from '../http-body.js';
import { BaselineError, BaselineStore } from '../baseline-store.js';
import { versionInfo } from '../console-store.js';
import { ENTRY_KINDS, normaliseEntry } from '../../core/baseline-entries.js';
import { renderPolicy } from '../../core/policy/index.js';
import { policyOptions } from '../policy-query.js';
import { RawAnswer, segment, type Route, type RouteDeps } from './route.js';

const BAD = { NOT_FOUND: 404, BAD_ENTRY: 400, BAD_VERSION: 400, NOTHING_TO_APPROVE: 409 } as const;
const MAX_ENTRIES = 2000;
/** Room for MAX_ENTRIES entries of full-length names. */
const ENTRY_LIST_BYTES = 1024 * 1024;

/** Store errors as API errors: bad input is a 4xx with its code. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof BaselineError) throw new HttpError(BAD[err.code], err.code, err.message);
    throw err;
  }
}

function bodyEntries(body: Record<string, unknown>): BaselineEntryRef[] {
  const v = body['entries'];
  if (!Array.isArray(v) || v.length === 0) throw new HttpError(400, 'BAD_BODY', 'entries must be a non-empty array of {kind, value}');
  if (v.length > MAX_ENTRIES) throw new HttpError(400, 'BAD_BODY', `entries holds more than ${MAX_ENTRIES}`);
  const entries = v.map((e: unknown) => {
    const o = e as { kind?: unknown; value?: unknown } | null;
    if (typeof o !== 'object' || o === null || typeof o.kind !== 'string' || typeof o.value !== 'string' || o.value.length > 300) {
      throw new HttpError(400, 'BAD_BODY', 'each entry is {kind, value} with string fields');
    }
    const entry = normaliseEntry(o.kind, o.value);
    if (!entry) throw new HttpError(400, 'BAD_ENTRY', `not a valid ${ENTRY_KINDS.includes(o.kind as never) ? o.kind : 'entry kind'}: ${JSON.stringify(o.value).slice(0, 80)}`);
    return entry;
  });
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(`${e.kind}\0${e.value}`) && seen.add(`${e.kind}\0${e.value}`));
}

function versionParam(query: URLSearchParams, name: string, fallback: number): number {
  const v = text(query, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, 'BAD_QUERY', `${name} must be a version number`);
  return Number(v);
}

export function baselineRoutes(d: RouteDeps): Route[] {
  const baselines: BaselineStore = d.consoleStore.baselines;
  const pipelineOf = (match: RegExpMatchArray): string => {
    const name = segment(match);
    if (d.consoleStore.pipelines(d.learningBuilds, name).length === 0 && baselines.settings(name).version === 0) {
      throw new HttpError(404, 'NOT_FOUND', 'no such pipeline');
    }
    return name;
  };
  return [
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/versions$/,
      handle: ({ match }) => ({ versions: baselines.versions(pipelineOf(match)).reverse().map(versionInfo) }),
    },
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/diff$/,
      handle: ({ match, query }): BaselineVersionDiff => {
        const pipeline = pipelineOf(match);
        const newest = baselines.settings(pipeline).version;
        const to = versionParam(query, 'to', newest);
        const from = versionParam(query, 'from', Math.max(0, to - 1));
        return { pipeline, from, to, ...guarded(() => baselines.diff(pipeline, from, to)) };
      },
    },
    {
      method: 'GET', pattern: /^\/api\/builds\/([^/]+)\/baseline-diff$/,
      handle: ({ match }): BuildBaselineDiff => guarded(() => baselines.buildDiff(segment(match))),
    },
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)\/allowlist$/,
      handle: ({ match, nowUs }): GuardAllowlist => {
        const b = baselines.policyBaseline(pipelineOf(match), d.learningBuilds, nowUs);
        return { pipeline: b.pipeline, version: b.version, readiness: b.readiness, names: [...b.names], domains: [...b.domains] };
      },
    },
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)\/policy$/,
      handle: ({ match, query, nowUs }) => {
        const format = text(query, 'format');
        if (format === undefined) throw new HttpError(400, 'BAD_QUERY', 'format is required');
        const b = baselines.policyBaseline(pipelineOf(match), d.learningBuilds, nowUs);
        const r = renderPolicy(b, format, policyOptions(query));
        // Not ready (or an entry no format can carry) is the baseline's state; anything else, the request's.
        if (!r.ok) throw new HttpError(r.code === 'baseline_not_ready' || r.code === 'invalid_entry' ? 409 : 400, r.code.toUpperCase(), r.message);
        return new RawAnswer(r.text, r.mediaType, r.filename);
      },
    },
    {
      method: 'POST', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/approve$/, operator: true, action: 'baseline_approve', maxBodyBytes: ENTRY_LIST_BYTES,
      handle: ({ match, body, nowUs }) => {
        const pipeline = pipelineOf(match);
        const refs = body['all'] === true ? 'all_pending' as const : bodyEntries(body);
        const reason = bodyText(body, 'reason', { max: 2000, required: false }) ?? '';
        // Entries approved from a build's diff are attributed to that build.
        const fromBuild = bodyText(body, 'buildId', { max: 128, required: false, singleLine: true });
        const r = guarded(() => d.store.db.transaction(() => {
          const made = baselines.approve(pipeline, refs, bodyActor(body), reason, nowUs, fromBuild);
          d.consoleStore.record(nowUs, bodyActor(body), 'baseline_approve', 'pipeline', pipeline, { version: made.version, added: made.added, reason });
          return made;
        })());
        d.updateBaseline(pipeline, BaselineStore.coreChange(r.added, [], r.version));
        return { version: versionInfo(baselines.version(pipeline, r.version)!) };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/reject$/, operator: true, action: 'baseline_reject', maxBodyBytes: ENTRY_LIST_BYTES,
      handle: ({ match, body, nowUs }) => {
        const pipeline = pipelineOf(match);
        const refs = bodyEntries(body);
        const reason = bodyText(body, 'reason', { max: 2000, required: false }) ?? '';
        const rejected = d.store.db.transaction(() => {
          const gone = baselines.reject(pipeline, refs);
          if (gone.length > 0) d.consoleStore.record(nowUs, bodyActor(body), 'baseline_reject', 'pipeline', pipeline, { rejected: gone, reason });
          return gone;
        })();
        if (rejected.length === 0) throw new HttpError(409, 'NOTHING_TO_REJECT', 'none of these entries waits for approval');
        return { rejected };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/remove$/, operator: true, action: 'baseline_remove', maxBodyBytes: ENTRY_LIST_BYTES,
      handle: ({ match, body, nowUs }) => {
        const pipeline = pipelineOf(match);
        const refs = bodyEntries(body);
        const reason = bodyText(body, 'reason', { max: 2000, required: true })!;
        const r = d.store.db.transaction(() => {
          const made = baselines.remove(pipeline, refs, bodyActor(body), reason, nowUs);
          if (made) d.consoleStore.record(nowUs, bodyActor(body), 'baseline_remove', 'pipeline', pipeline, { version: made.version, removed: made.removed, reason });
          return made;
        })();
        if (!r) throw new HttpError(409, 'NOTHING_TO_REMOVE', 'none of these entries is in the baseline');
        d.updateBaseline(pipeline, BaselineStore.coreChange([], r.removed, r.version));
        for (const a of r.allowancesDropped) d.revokeAllowance(pipeline, a.domain, a.kind, false);
        return { version: versionInfo(baselines.version(pipeline, r.version)!), allowancesDropped: r.allowancesDropped };
      },
    },
    {
      method: 'POST', pattern: /^\/api\/pipelines\/([^/]+)\/baseline\/settings$/, operator: true, action: 'baseline_settings',
      handle: ({ match, body, nowUs }) => {
        const pipeline = pipelineOf(match);
        const mode = bodyText(body, 'mode', { max: 20, required: true });
        if (mode !== 'auto' && mode !== 'supervised') throw new HttpError(400, 'BAD_BODY', 'mode must be auto or supervised');
        const n = body['learningBuilds'];
        if (n !== undefined && n !== null && (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000)) {
          throw new HttpError(400, 'BAD_BODY', 'learningBuilds must be an integer from 0 to 1000, or null for the collector default');
        }
        const learningBuilds = (n ?? null) as number | null;
        const settings = d.store.db.transaction(() => {
          const st = baselines.setMode(pipeline, mode, learningBuilds);
          d.consoleStore.record(nowUs, bodyActor(body), 'baseline_settings', 'pipeline', pipeline, { mode, learningBuilds });
          return st;
        })();
        d.updateBaseline(pipeline, { mode, learningBuilds });
        return { settings };
      },
    },
  ];
}
