// Policy options from a query string (GET /api/pipelines/:name/policy, and the CLI's
// --data-dir export, which builds the same query from its flags): checked once, 400 otherwise.
import { HttpError, text } from './http-query.js';
import { oneOf } from './routes/route.js';
import type { PolicyOptions } from '../core/policy/index.js';

/** Policy options from the query string: ?format=&mode=&allowUnready=1&uid=&cgroup=&namespace=&podLabel=k=v&upstream=&listen=&buildCommand= */
export function policyOptions(query: URLSearchParams): PolicyOptions {
  const mode = oneOf(text(query, 'mode'), ['audit', 'enforce'] as const, 'mode') ?? 'audit';
  const uidText = text(query, 'uid');
  if (uidText !== undefined && !/^\d{1,10}$/.test(uidText)) throw new HttpError(400, 'BAD_QUERY', 'uid must be a number');
  const podSelector: Record<string, string> = {};
  for (const l of query.getAll('podLabel')) {
    const m = /^([A-Za-z0-9._/-]{1,253})=([A-Za-z0-9._-]{0,63})$/.exec(l);
    if (!m) throw new HttpError(400, 'BAD_QUERY', 'podLabel must be key=value (label syntax)');
    podSelector[m[1]!] = m[2]!;
  }
  const upstream = query.getAll('upstream');
  const listenText = text(query, 'listen');
  const listen = listenText === undefined ? undefined : /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))(?::(\d{1,5}))?$/.exec(listenText);
  if (listen === null) throw new HttpError(400, 'BAD_QUERY', 'listen must be ADDRESS or ADDRESS:PORT ([v6]:PORT)');
  const buildCommand = text(query, 'buildCommand');
  const cgroupPath = text(query, 'cgroup');
  const namespace = text(query, 'namespace');
  return {
    mode, allowUnready: ['1', 'true'].includes(query.get('allowUnready') ?? ''),
    target: {
      ...(uidText !== undefined ? { uid: Number(uidText) } : {}),
      ...(cgroupPath !== undefined ? { cgroupPath } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(Object.keys(podSelector).length ? { podSelector } : {}),
    },
    ...(upstream.length ? { upstream } : {}),
    ...(listen ? { listen: { address: listen[1] ?? listen[2]!, ...(listen[3] ? { port: Number(listen[3]) } : {}) } } : {}),
    ...(buildCommand !== undefined ? { buildCommand } : {}),
  };
}

