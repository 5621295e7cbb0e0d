// Pipelines and their baselines; the live chart's recent history; the caller's session.
import type { PipelineDetail, SessionInfo, StatsHistory } from '@telltale/proto';
import { HttpError } from '../http-query.js';
import { segment, type Route, type RouteDeps } from './route.js';

export function pipelineRoutes(d: RouteDeps, readsNeedToken: boolean): Route[] {
  return [
    { method: 'GET', pattern: /^\/api\/pipelines$/, handle: () => ({ pipelines: d.consoleStore.pipelines(d.learningBuilds) }) },
    {
      method: 'GET', pattern: /^\/api\/pipelines\/([^/]+)$/,
      handle: ({ match }): PipelineDetail => {
        const name = segment(match);
        const summary = d.consoleStore.pipelines(d.learningBuilds, name)[0];
        if (!summary) throw new HttpError(404, 'NOT_FOUND', 'no such pipeline');
        return { summary, ...d.consoleStore.baselineOf(name), recentBuilds: d.consoleStore.listBuilds({ pipeline: name, limit: 20 }).builds };
      },
    },
    { method: 'GET', pattern: /^\/api\/stats$/, handle: (): StatsHistory => ({ ticks: d.stats.history() }) },
    { method: 'GET', pattern: /^\/api\/session$/, handle: ({ operator }): SessionInfo => ({ readsNeedToken, operator }) },
  ];
}
