// A build's process tree: collapsible rows with exe, argv, pid and exit code; build scripts (with their package)
// and their descendants marked; the paths to alerting processes highlighted and open; each process's DNS names and connections.
import { useEffect, useMemo, useState } from 'react';
import type { Alert, ConnectRow, DnsQueryRow, ProcessNode } from '../api-types';
import {
  alertTargetPid, allPids, defaultExpanded, descendsFromBuildScript, groupByFirstPid, indexByPid, markAlertPaths, visibleRows,
} from '../process-tree-model';
import { ArgvText } from '../argv-text';
import { TruncatedText } from '../truncated-text';
import { oneLine, showControls } from '../visible-text';
import { PackageTag } from './package-block';
import { processPackage } from '../package-evidence';

const ROW_CAP = 400;
const MAX_INDENT = 40;

export function ProcessTree({ roots, alerts, dns, connects }: {
  roots: ProcessNode[]; alerts: Alert[]; dns: DnsQueryRow[]; connects: ConnectRow[];
}) {
  const index = useMemo(() => indexByPid(roots), [roots]);
  const alertPath = useMemo(() => markAlertPaths(index, alerts), [index, alerts]);
  const alerting = useMemo(() => {
    const m = new Map<number, number>();
    for (const a of alerts) {
      const pid = alertTargetPid(a, index);
      if (pid !== null) m.set(pid, (m.get(pid) ?? 0) + 1);
    }
    return m;
  }, [index, alerts]);
  const scripts = useMemo(() => descendsFromBuildScript(roots), [roots]);
  const dnsByPid = useMemo(() => groupByFirstPid(dns), [dns]);
  const connectsByPid = useMemo(() => groupByFirstPid(connects), [connects]);
  const [expanded, setExpanded] = useState<Set<number>>(() => defaultExpanded(index, alertPath));
  const [cap, setCap] = useState(ROW_CAP);
  // A re-fetch can bring new alerts: open their paths too, without closing what the user opened.
  useEffect(() => {
    setExpanded((old) => ([...alertPath].every((p) => old.has(p)) ? old : new Set([...old, ...alertPath])));
  }, [alertPath]);
  const rows = useMemo(() => visibleRows(roots, expanded), [roots, expanded]);

  const toggle = (pid: number) => setExpanded((old) => {
    const next = new Set(old);
    if (next.has(pid)) next.delete(pid);
    else next.add(pid);
    return next;
  });

  if (roots.length === 0) return <div className="muted pad" data-testid="process-tree">No processes recorded for this build.</div>;
  return (
    <div className="process-tree" data-testid="process-tree">
      <div className="tree-tools">
        <span className="muted">{index.size} processes</span>
        <button type="button" onClick={() => setExpanded(allPids(index))}>Expand all</button>
        <button type="button" onClick={() => setExpanded(defaultExpanded(index, alertPath))}>Alert paths only</button>
        <button type="button" onClick={() => setExpanded(new Set())}>Collapse all</button>
        <span className="legend"><span className="mark-alert-path">▍</span> path to an alerting process <span className="badge badge-script">script</span> build script or below one</span>
      </div>
      {rows.slice(0, cap).map(({ node, depth, hasChildren, expanded: open }) => {
        const onPath = alertPath.has(node.pid);
        const script = scripts.has(node.pid);
        const alertCount = alerting.get(node.pid) ?? 0;
        const names = dnsByPid.get(node.pid) ?? [];
        const conns = connectsByPid.get(node.pid) ?? [];
        const pkg = node.buildScript !== null ? processPackage(node.package) : null;
        return (
          <div
            key={node.pid}
            className={`pnode${onPath ? ' on-alert-path' : ''}${script ? ' in-script' : ''}${alertCount ? ' is-alerting' : ''}`}
            data-testid="process-node"
            data-pid={node.pid}
            data-alert-path={onPath ? 'true' : undefined}
            data-build-script={script ? 'true' : undefined}
            style={{ paddingLeft: 6 + Math.min(depth, MAX_INDENT) * 16 }}
          >
            <div className="pnode-line">
              {hasChildren
                ? <button type="button" className="twisty" aria-expanded={open} onClick={() => toggle(node.pid)} title={open ? 'collapse' : `expand (${node.children.length} children)`}>{open ? '▾' : '▸'}</button>
                : <span className="twisty-none" aria-hidden="true">·</span>}
              <span className="pnode-exe mono"><TruncatedText text={node.exe} max={80} /></span>
              <ArgvText argv={node.argv.slice(1)} first={8} maxArg={80} emptyText={null} />
              <span className="pnode-meta">
                pid <span className="num">{node.pid}</span>
                {node.exitCode !== null && <> · exit <span className={node.exitCode === 0 ? 'num' : 'num exit-bad'}>{node.exitCode}</span></>}
                {!open && hasChildren && <> · {node.children.length} children</>}
              </span>
              {node.buildScript !== null && <span className="badge badge-script" title="This process is a build script">{oneLine(node.buildScript, 40)}</span>}
              {pkg && (
                <span className="pnode-package">
                  <PackageTag pkg={pkg} testId="process-package" />
                  {pkg.procMacros.length > 0 && (
                    <span className="muted" title="The proc-macros this rustc loaded: the code that ran is one of theirs"> running {oneLine(pkg.procMacros.join(', '), 120)}</span>
                  )}
                </span>
              )}
              {node.buildScript === null && script && <span className="badge badge-script-desc" title="Descends from a build script">in script</span>}
              {alertCount > 0 && <span className="badge badge-alert">⚑ {alertCount} alert{alertCount > 1 ? 's' : ''}</span>}
            </div>
            {(names.length > 0 || conns.length > 0) && (
              <div className="pnode-net">
                {names.length > 0 && <NetList label="dns" items={names.map((d) => ({ text: d.qname, warn: !d.baselineKnown }))} />}
                {conns.length > 0 && <NetList label="connect" items={conns.map((c) => ({ text: `${c.address}:${c.port}/${c.protocol}`, warn: c.external }))} />}
              </div>
            )}
          </div>
        );
      })}
      {rows.length > cap && (
        <div className="list-foot">
          <span className="muted">{rows.length - cap} more processes not shown</span>
          <button type="button" onClick={() => setCap((c) => c + 1000)}>Show more</button>
        </div>
      )}
    </div>
  );
}

function NetList({ label, items }: { label: string; items: { text: string; warn: boolean }[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, 6);
  return (
    <span className="netlist">
      <span className="netlist-label">{label}</span>
      {shown.map((it, i) => (
        <span key={i} className={it.warn ? 'chip mono chip-warn' : 'chip mono'} title={showControls(it.text)}>{oneLine(it.text, 80)}</span>
      ))}
      {!all && items.length > 6 && <button type="button" className="tt-toggle" onClick={() => setAll(true)}>+{items.length - 6} more</button>}
    </span>
  );
}
