// The package behind an alert: name and version, how the project reaches it, whether it arrived in this
// build and who brought it in, the lockfile's change (with the build it is compared to), look-alike names
// and the proc-macros that ran. Every name comes from a build's files: text only.
import type { ReactNode } from 'react';
import type { TyposquatSignalJson } from '../api-types';
import { Link } from '../link';
import { paths } from '../routes';
import { TruncatedText } from '../truncated-text';
import { oneLine } from '../visible-text';
import { packageLabel, signalText, type PackageFacts } from '../package-evidence';

const CHANGED: Record<NonNullable<PackageFacts['changedInThisBuild']>, string> = {
  upgraded: 'upgraded in this build', downgraded: 'downgraded in this build', changed_in_place: 'changed in place in this build',
};

const ECOSYSTEM: Record<string, string> = { cargo: 'eco-cargo', npm: 'eco-npm', pypi: 'eco-pypi', go: 'eco-go' };

export function EcosystemBadge({ ecosystem }: { ecosystem: string }) {
  const cls = Object.hasOwn(ECOSYSTEM, ecosystem) ? ECOSYSTEM[ecosystem] : 'eco-unknown';
  return <span className={`badge eco ${cls}`} data-testid="package-ecosystem">{oneLine(ecosystem, 12)}</span>;
}

/** `[cargo] reqwests 0.1.0` on one line, for trees and timelines. */
export function PackageTag({ pkg, testId = 'package-tag' }: { pkg: { ecosystem: string; name: string; version: string | null }; testId?: string }) {
  return (
    <span className="pkg-tag" data-testid={testId} title={`${pkg.ecosystem} package`}>
      <EcosystemBadge ecosystem={pkg.ecosystem} /> <span className="mono pkg-tag-name">{oneLine(packageLabel(pkg), 100)}</span>
    </span>
  );
}

export function SignalList({ signals, testId }: { signals: TyposquatSignalJson[]; testId?: string }) {
  return (
    <ul className="signals" data-testid={testId}>
      {signals.map((s, i) => <li key={i}><span className="signal-mark" aria-hidden="true">⚠</span> <TruncatedText text={signalText(s)} max={200} /></li>)}
    </ul>
  );
}

export function PackageBlock({ pkg }: { pkg: PackageFacts }) {
  const rows: [string, ReactNode][] = [];
  if (pkg.typosquat.length) rows.push(['look-alike', <SignalList signals={pkg.typosquat} testId="package-typosquat" />]);
  if (pkg.dependencyPaths.length) {
    rows.push([pkg.dependencyPaths.length > 1 ? 'dependency paths' : 'dependency path', (
      <ul className="dep-paths" data-testid="package-paths">
        {pkg.dependencyPaths.map((p, i) => <li key={i} className="mono"><TruncatedText text={p} max={240} /></li>)}
      </ul>
    )]);
  }
  if (pkg.lockfileChange) rows.push(['lockfile change', <LockfileChangeLine change={pkg.lockfileChange} />]);
  if (pkg.lockedVersions.length > 1) {
    rows.push(['locked versions', <span className="kv-array">{pkg.lockedVersions.map((v, i) => <span key={i} className="arg">{oneLine(v, 60)}</span>)} <span className="muted">the process did not say which ran</span></span>]);
  }
  if (pkg.procMacros.length) {
    const described = pkg.procMacroPackages.length ? pkg.procMacroPackages : pkg.procMacros.map((name) => ({ name, version: null, change: null, lookAlike: false }));
    rows.push(['proc-macros', <span className="kv-array" data-testid="package-proc-macros">
      {described.map((m, i) => (
        <span key={i} className="arg" data-testid="package-proc-macro">
          {oneLine(packageLabel(m), 120)}
          {m.change && <span className="pill sev-medium">{m.change === 'added' ? 'new in this build' : m.change.replace(/_/g, ' ')}</span>}
          {m.lookAlike && <span className="pill sev-high">look-alike name</span>}
        </span>
      ))} <span className="muted">ran inside this rustc</span></span>]);
  }

  return (
    <div className="package-block" data-testid="package-block" data-look-alike={pkg.lookAlike ? 'true' : undefined}>
      <div className="pkg-head">
        <EcosystemBadge ecosystem={pkg.ecosystem} />
        <span className="pkg-name mono" data-testid="package-name">{oneLine(pkg.name, 120)}</span>
        {pkg.version !== null
          ? <span className="pkg-version mono" data-testid="package-version">{oneLine(pkg.version, 60)}</span>
          : <span className="muted">version unknown</span>}
        {pkg.direct === true && <span className="pill" data-testid="package-direct">direct dependency</span>}
        {pkg.direct === false && <span className="pill" data-testid="package-direct">transitive dependency</span>}
        {pkg.arrivedInThisBuild === true && <span className="pill st-open">new in this build</span>}
        {pkg.changedInThisBuild && <span className="pill st-open" data-testid="package-changed">{CHANGED[pkg.changedInThisBuild]}{pkg.previousVersion && <> from {oneLine(pkg.previousVersion, 60)}</>}</span>}
        {pkg.arrivedInThisBuild === false && !pkg.changedInThisBuild && <span className="pill st-fp">locked before this build</span>}
        {pkg.typosquat.length > 0 && <span className="pill sev-high">look-alike name</span>}
        {pkg.runsInstallScript && <span className="pill sev-medium">has a build script</span>}
        <span className="pkg-source muted">
          {pkg.from && <>read from the {oneLine(pkg.from, 60)}</>}
          {pkg.from && pkg.lockfile && ' · '}
          {pkg.lockfile && <>locked in <span className="mono">{oneLine(pkg.lockfile, 120)}</span></>}
        </span>
      </div>
      {pkg.arrival && (
        <div className={pkg.arrivedInThisBuild ? 'pkg-arrival pkg-arrival-new' : 'pkg-arrival'} data-testid="package-arrival">
          <TruncatedText text={pkg.arrival} max={400} />
        </div>
      )}
      {pkg.notLocked && <div className="banner banner-warn inline">Locked in none of the build's lockfiles of its ecosystem: nothing says how it got in.</div>}
      {!pkg.lookAlike && !pkg.notLocked && pkg.lockfile === null && (
        <div className="muted pkg-note" data-testid="package-no-lockfile">
          {pkg.lockfilesIncomplete
            ? 'Not in the lockfiles reported, but the agent\'s scan of the workspace stopped at its bounds: another lockfile may lock it.'
            : 'The build reported no lockfile that locks it: its version and how it got in are not known.'}
        </div>
      )}
      {pkg.arrivedInThisBuild === null && pkg.lockfile && !pkg.lookAlike && (
        <div className="muted pkg-note">The pipeline's first snapshot of this lockfile: nothing to compare with, so no arrival to tell.</div>
      )}
      {rows.length > 0 && (
        <dl className="pkg-facts">
          {rows.map(([k, v]) => <div className="kv-row" key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
        </dl>
      )}
    </div>
  );
}

function LockfileChangeLine({ change }: { change: NonNullable<PackageFacts['lockfileChange']> }) {
  return (
    <div className="pkg-change" data-testid="package-lockfile-change">
      <div>
        <span className="mono">{oneLine(change.lockfile, 120)}</span>
        {change.previousBuildId
          ? <> since build <Link to={paths.build(change.previousBuildId)} className="mono" testId="package-previous-build">{oneLine(change.previousBuildId, 60)}</Link></>
          : ' (no previous build)'}
        : <span className={change.added ? 'diff-plus' : undefined}>{change.added} added</span>, <span className={change.removed ? 'diff-minus' : undefined}>{change.removed} removed</span>
        {change.upgraded.length > 0 && <>, {change.upgraded.length} upgraded</>}
        {change.downgraded.length > 0 && <>, {change.downgraded.length} downgraded</>}
      </div>
      {change.upgraded.length > 0 && <ChangeChips label="upgraded" items={change.upgraded} />}
      {change.downgraded.length > 0 && <ChangeChips label="downgraded" items={change.downgraded} warn />}
    </div>
  );
}

function ChangeChips({ label, items, warn }: { label: string; items: string[]; warn?: boolean }) {
  return (
    <div className="chg-list">
      <span className="chg-label">{label}</span>
      {items.map((t, i) => <span key={i} className={warn ? 'chip mono chip-warn' : 'chip mono'}>{oneLine(t, 120)}</span>)}
    </div>
  );
}
