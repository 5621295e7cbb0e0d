// A build's dependencies as its lockfiles say: one card per lockfile the agent reported, with what changed
// since the pipeline's previous build (linked), the look-alike package names flagged first.
import { useState, type ReactNode } from 'react';
import type { BuildLockfileRow, LockfileChange } from '../api-types';
import { Link } from '../link';
import { paths } from '../routes';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { packageLabel } from '../package-evidence';
import { changeCounts, flaggedCount, leftOut, lockfileCards, lockfileStatusText, type LockfileCard } from '../lockfile-model';
import { SignalList } from './package-block';

/** Rows shown per list before "show all". */
const SHOWN = 25;

export function BuildDependencies({ lockfiles }: { lockfiles: BuildLockfileRow[] | undefined }) {
  const cards = lockfileCards(lockfiles);
  const flagged = flaggedCount(cards);
  return (
    <section className="panel" data-testid="build-dependencies">
      <h2>
        Dependencies <span className="count">{cards.length} lockfile{cards.length === 1 ? '' : 's'}</span>
        {flagged > 0 && <span className="pill sev-high head-pill" data-testid="lookalike-count">{flagged} look-alike name{flagged === 1 ? '' : 's'}</span>}
      </h2>
      {cards.length === 0
        ? (
          <div className="lockfiles-empty" data-testid="lockfiles-empty">
            No lockfile reported: the agent reports Cargo.lock, package-lock.json, poetry.lock, requirements*.txt and go.sum found in the build's
            workspace when it starts.
          </div>
        )
        : <div className="lockfile-cards">{cards.map((c) => <LockfileCardView key={c.row.path} card={c} />)}</div>}
    </section>
  );
}

function LockfileCardView({ card: { row, snapshots } }: { card: LockfileCard }) {
  const parsed = row.status === 'parsed';
  return (
    <div className="lockfile-card" data-testid="lockfile-card" data-path={row.path} data-status={row.status}>
      <div className="lockfile-head">
        <span className="mono lockfile-path"><TruncatedText text={row.path} max={160} /></span>
        {row.format && <span className="muted">{oneLine(row.format, 40)}</span>}
        {row.packages !== null && <span><span className="num">{row.packages.toLocaleString('en-US')}</span> packages</span>}
        <span className={`pill ${parsed ? 'st-ok' : 'st-ack'}`} data-testid="lockfile-status">{parsed ? 'parsed' : oneLine(row.status.replace('_', ' '), 24)}</span>
        {snapshots > 1 && <span className="muted">reported {snapshots} times in this build: the latest is shown</span>}
      </div>
      {!parsed && (
        <div className="banner banner-warn inline" data-testid="lockfile-detail">
          {lockfileStatusText(row.status)}{row.detail ? <>: <TruncatedText text={row.detail} max={300} /></> : null}. What it locks is unknown for this build.
        </div>
      )}
      {row.change && <ChangeView change={row.change} />}
    </div>
  );
}

function ChangeView({ change: c }: { change: LockfileChange }) {
  const since = c.previousBuildId
    ? <Link to={paths.build(c.previousBuildId)} className="mono" testId="lockfile-previous-build">{oneLine(c.previousBuildId, 60)}</Link>
    : null;
  return (
    <div className="lockfile-change" data-testid="lockfile-change">
      {c.flagged.length > 0 && (
        <ul className="lookalikes" data-testid="lockfile-flagged">
          {c.flagged.map((f, i) => (
            <li key={i} className="lookalike" data-testid="lookalike" data-name={f.name}>
              <div className="lookalike-head">
                <span className="pill sev-high">look-alike</span> <span className="mono pkg-name">{oneLine(packageLabel(f), 120)}</span>
                {c.first && <span className="muted"> in the pipeline's first lockfile: it may have been there all along</span>}
              </div>
              <SignalList signals={f.typosquat} />
              {f.dependencyPaths.length > 0 && (
                <ul className="dep-paths">
                  {f.dependencyPaths.map((p, j) => <li key={j} className="mono"><TruncatedText text={p} max={240} /></li>)}
                </ul>
              )}
            </li>
          ))}
          {c.flagged.length > c.flaggedPathsShown && <li className="muted">Dependency paths are shown for the first {c.flaggedPathsShown}.</li>}
          {c.flagged.length >= 500 && <li className="muted">More may be flagged: the collector lists 500.</li>}
        </ul>
      )}
      {c.first
        ? <div className="muted lockfile-since">The pipeline's first snapshot of this lockfile: nothing to compare with.</div>
        : (
          <div className="lockfile-since" data-testid="lockfile-since">
            Since build {since ?? <span className="muted">(unknown)</span>}: <span className={c.counts.added + c.counts.removed + c.counts.upgraded + c.counts.downgraded > 0 ? 'changed' : 'muted'}>{changeCounts(c)}</span>
          </div>
        )}
      {!c.first && (
        <div className="diff-columns lockfile-lists">
          {c.added.length > 0 && (
            <ChangeList title="added" total={c.counts.added} className="diff-added" testId="lockfile-added" items={c.added.map((p) => (
              <>
                <span className="diff-sign">+</span>
                <span className="chg-body">
                  <span className="mono">{oneLine(packageLabel(p), 120)}</span>
                  {p.hasBuildScript && <span className="badge badge-script">build script</span>}
                  {p.typosquat.length > 0 && <span className="badge badge-alert">look-alike</span>}
                  {p.arrival && <span className="arrival"><TruncatedText text={p.arrival} max={300} /></span>}
                </span>
              </>
            ))} />
          )}
          {c.upgraded.length > 0 && <ChangeList title="upgraded" total={c.counts.upgraded} className="diff-moved" testId="lockfile-upgraded" items={c.upgraded.map(versionMove('↑'))} />}
          {c.downgraded.length > 0 && <ChangeList title="downgraded" total={c.counts.downgraded} className="diff-warn" testId="lockfile-downgraded" items={c.downgraded.map(versionMove('↓'))} />}
          {c.removed.length > 0 && (
            <ChangeList title="removed" total={c.counts.removed} className="diff-removed" testId="lockfile-removed"
              items={c.removed.map((p) => <><span className="diff-sign">−</span><span className="mono">{oneLine(packageLabel(p), 120)}</span></>)} />
          )}
          {c.changedInPlace.length > 0 && (
            <ChangeList title="changed in place" total={c.counts.changedInPlace} className="diff-warn" testId="lockfile-in-place" items={c.changedInPlace.map((p) => (
              <><span className="diff-sign">!</span><span className="mono">{oneLine(`${p.name} ${p.version}`, 120)}</span> <span className="muted">same version, {p.what === 'checksum' ? 'different checksum' : 'different source'}</span></>
            ))} />
          )}
          {c.scriptsGained.length > 0 && (
            <ChangeList title="gained a build script" total={c.counts.scriptsGained} className="diff-warn" testId="lockfile-scripts-gained" items={c.scriptsGained.map((p) => (
              <><span className="diff-sign">!</span><span className="mono">{oneLine(`${p.name} ${p.from} → ${p.to}`, 140)}</span></>
            ))} />
          )}
        </div>
      )}
    </div>
  );
}

const versionMove = (sign: string) => (p: { name: string; from: string; to: string }) => (
  <><span className="diff-sign">{sign}</span><span className="mono">{oneLine(`${p.name} ${p.from} → ${p.to}`, 140)}</span></>
);

function ChangeList({ title, total, items, className, testId }: { title: string; total: number; items: ReactNode[]; className: string; testId: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, SHOWN);
  const capped = leftOut(total, items.length);
  return (
    <div className={`diff-list ${className}`} data-testid={testId}>
      <div className="diff-title">{title} <span className="muted">{total.toLocaleString('en-US')}</span></div>
      <ul>{shown.map((it, i) => <li key={i}>{it}</li>)}</ul>
      {!all && items.length > SHOWN && <button type="button" className="link-button" onClick={() => setAll(true)}>show all {items.length}</button>}
      {capped > 0 && <div className="muted">+{capped.toLocaleString('en-US')} more not listed (the collector lists 500)</div>}
    </div>
  );
}
