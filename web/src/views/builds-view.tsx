// Live builds: newest first, filtered by pipeline and state from the query string, updated from `build`
// messages, paged with "load older", with the ingest chart on top.
import { LoadOlder } from '../load-older';
import { useMemo } from 'react';
import type { BuildPage, BuildSummary, PipelineList } from '../api-types';
import { usePagedList } from '../use-paged-list';
import { useApi } from '../use-api';
import { useStream } from '../live-stream';
import { setQueryParams, useQueryParams } from '../router';
import { buildMatches } from '../filters';
import { Empty, ErrorState, Loading } from '../states';
import { oneLine } from '../visible-text';
import { BuildsTable } from './builds-table';
import { EventsChart } from './events-chart';

const KEYS = { id: (b: BuildSummary) => b.id, order: (b: BuildSummary) => b.startedAtUs };
const pickBuilds = (body: unknown) => {
  const p = body as Partial<BuildPage>;
  return { rows: Array.isArray(p.builds) ? p.builds : [], next: typeof p.next === 'string' ? p.next : null, total: null };
};

export function BuildsView() {
  const q = useQueryParams();
  const filter = { pipeline: q.get('pipeline') ?? '', state: q.get('state') ?? '' };
  const list = usePagedList<BuildSummary>('/api/builds', filter, pickBuilds, KEYS, 50);
  const pipelines = useApi<PipelineList>('/api/pipelines');

  useStream((m) => {
    if (m.type === 'build') list.upsert(m.build, buildMatches(m.build, filter));
  });

  const pipelineNames = useMemo(() => {
    const names = new Set<string>();
    if (pipelines.state.status === 'ok' && Array.isArray(pipelines.state.data.pipelines)) {
      for (const p of pipelines.state.data.pipelines) names.add(p.pipeline);
    }
    for (const b of list.rows) names.add(b.pipeline);
    if (filter.pipeline) names.add(filter.pipeline);
    return [...names].sort();
  }, [pipelines.state, list.rows, filter.pipeline]);

  const filtered = filter.pipeline !== '' || filter.state !== '';
  return (
    <div className="view">
      <div className="view-head">
        <h1>Builds</h1>
        <div className="filters">
          <label>
            pipeline
            <select data-testid="builds-filter-pipeline" value={filter.pipeline} onChange={(e) => setQueryParams({ pipeline: e.target.value })}>
              <option value="">all pipelines</option>
              {pipelineNames.map((n) => <option key={n} value={n}>{oneLine(n, 60)}</option>)}
            </select>
          </label>
          <label>
            state
            <select data-testid="builds-filter-state" value={filter.state} onChange={(e) => setQueryParams({ state: e.target.value })}>
              <option value="">any</option>
              <option value="running">running</option>
              <option value="succeeded">succeeded</option>
              <option value="failed">failed</option>
            </select>
          </label>
          {filtered && <button type="button" className="link-button" onClick={() => setQueryParams({ pipeline: '', state: '' })}>clear filters</button>}
        </div>
      </div>
      <EventsChart />
      {list.status === 'loading' && <Loading what="Loading builds" />}
      {list.status === 'error' && list.error && <ErrorState error={list.error} onRetry={list.reload} what="builds" />}
      {list.status === 'ok' && list.rows.length === 0 && (
        filtered
          ? <Empty>No builds match this filter. <button type="button" className="link-button" onClick={() => setQueryParams({ pipeline: '', state: '' })}>Clear the filter</button> to see all builds.</Empty>
          : <Empty>No builds yet. Run a build under <code>telltale run -- &lt;command&gt;</code> or start the agent with <code>telltale up</code>; builds appear here live.</Empty>
      )}
      {list.status === 'ok' && list.rows.length > 0 && (
        <>
          <BuildsTable builds={list.rows} />
          <LoadOlder list={list}><span className="muted">{list.rows.length} builds shown</span></LoadOlder>
        </>
      )}
    </div>
  );
}
