// The DNS guard's side of the API: its verdicts come in here, and the console reads them back.
import { limit } from '../http-query.js';
import { parseGuardReport, type GuardVerdictSink } from '../guard-verdicts.js';
import { segment, type Route } from './route.js';

export function guardRoutes(sink: GuardVerdictSink): Route[] {
  return [
    {
      // A guard is a machine, not a person: it holds the operator token, and its reports are not console actions.
      method: 'POST', pattern: /^\/api\/guard\/verdicts$/, operator: true, maxBodyBytes: 2 * 1024 * 1024,
      handle: ({ body, nowUs }) => sink.accept(parseGuardReport(body), nowUs),
    },
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)\/guard-verdicts$/,
      handle: ({ match, query }) => ({ verdicts: sink.recent(segment(match), limit(query, 100, 1000)) }),
    },
  ];
}
