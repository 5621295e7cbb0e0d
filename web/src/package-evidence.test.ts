import { describe, expect, it } from 'vitest';
import { packageFacts, packageLabel, processPackage, shownByPackageBlock, signalText } from './package-evidence';

const SIGNAL = { kind: 'edit_distance', resembles: 'reqwest', evidence: '1 edit from "reqwest": extra "s" at 8' };

describe('packageFacts', () => {
  it('reads evidence.package of an alert raised under a build script', () => {
    const facts = packageFacts({
      kind: 'encoded_dns_label',
      evidence: {
        score: 0.9,
        package: {
          ecosystem: 'cargo', name: 'reqwests', version: '0.1.0', from: 'build script path', lockfile: 'Cargo.lock', direct: false,
          dependencyPaths: ['app 0.1.0 → rust-utilities 2.1.1 → reqwests 0.1.0'], arrivedInThisBuild: true,
          arrival: 'reqwests 0.1.0 first appeared in this build, brought in by rust-utilities 2.1.0 → 2.1.1',
          lockfileChange: { lockfile: 'Cargo.lock', previousBuildId: 'b-1', added: 1, removed: 0, upgraded: ['rust-utilities 2.1.0 → 2.1.1'], downgraded: [] },
          typosquat: [SIGNAL],
        },
      },
    });
    expect(facts).toMatchObject({
      ecosystem: 'cargo', name: 'reqwests', version: '0.1.0', direct: false, arrivedInThisBuild: true, notLocked: false, lookAlike: false,
      lockfileChange: { previousBuildId: 'b-1', upgraded: ['rust-utilities 2.1.0 → 2.1.1'] }, typosquat: [SIGNAL],
    });
    expect(packageLabel(facts!)).toBe('reqwests 0.1.0');
    expect(signalText(facts!.typosquat[0]!)).toBe('looks like reqwest: 1 edit from "reqwest": extra "s" at 8');
  });

  it('reads a typosquat_package finding as the look-alike itself', () => {
    const facts = packageFacts({
      kind: 'typosquat_package',
      evidence: {
        package: { ecosystem: 'cargo', name: 'reqwests', version: '0.1.0' }, signals: [SIGNAL], lockfile: 'Cargo.lock',
        arrival: 'reqwests 0.1.0 first appeared in this build', dependencyPaths: ['app 0.1.0 → reqwests 0.1.0'], runsInstallScript: true,
      },
    });
    expect(facts).toMatchObject({ lookAlike: true, arrivedInThisBuild: true, lockfile: 'Cargo.lock', runsInstallScript: true, typosquat: [SIGNAL] });
    expect(shownByPackageBlock('typosquat_package')).toContain('signals');
  });

  it('a package upgraded in this build says so and from which version; an unknown kind of change is dropped', () => {
    const pkg = { ecosystem: 'cargo', name: 'url-parsr', version: '0.1.1', from: 'build script path', arrivedInThisBuild: false };
    expect(packageFacts({ kind: 'secret_leak', evidence: { package: { ...pkg, changeInThisBuild: 'upgraded', previousVersion: '0.1.0' } } }))
      .toMatchObject({ changedInThisBuild: 'upgraded', previousVersion: '0.1.0', arrivedInThisBuild: false });
    expect(packageFacts({ kind: 'secret_leak', evidence: { package: { ...pkg, changeInThisBuild: 'added' } } })).toMatchObject({ changedInThisBuild: null });
    expect(packageFacts({ kind: 'secret_leak', evidence: { package: { ...pkg, changeInThisBuild: 'rewritten', previousVersion: 3 } } }))
      .toMatchObject({ changedInThisBuild: null, previousVersion: null });
  });

  it('a package known only by its process: name, no version; locked nowhere is said', () => {
    const facts = packageFacts({ kind: 'secret_leak', evidence: { package: { ecosystem: 'npm', name: '@acme/x', version: null, from: 'working directory', lockfile: null } } });
    expect(facts).toMatchObject({ version: null, notLocked: true, lockfile: null, dependencyPaths: [], lockfileChange: null });
    expect(packageLabel(facts!)).toBe('@acme/x');
    // Not found, but the scan stopped at a bound: not "locked nowhere".
    const partial = packageFacts({ kind: 'secret_leak', evidence: { package: { ecosystem: 'npm', name: '@acme/x', version: null, from: 'working directory', lockfilesIncomplete: true } } });
    expect(partial).toMatchObject({ notLocked: false, lockfilesIncomplete: true, lockfile: null });
  });

  it('reads the proc-macros a rustc ran as the lockfile describes them, dropping malformed ones', () => {
    const facts = packageFacts({ kind: 'encoded_dns_label', evidence: { package: {
      ecosystem: 'cargo', name: 'my_app', version: '0.1.0', from: 'rustc arguments', procMacros: ['my_macros', 'serde_derivee'],
      procMacroPackages: [
        { name: 'my_macros', version: '0.2.0', changeInThisBuild: 'upgraded' },
        { name: 'serde_derivee', version: '1.0.0', changeInThisBuild: 'added', typosquat: [{ kind: 'edit_distance', resembles: 'serde_derive', evidence: '1 edit' }] },
        { name: 42 }, { version: '1' }, { name: 'x', changeInThisBuild: 'exploded' },
      ],
    } } })!;
    expect(facts.procMacroPackages).toEqual([
      { name: 'my_macros', version: '0.2.0', change: 'upgraded', lookAlike: false },
      { name: 'serde_derivee', version: '1.0.0', change: 'added', lookAlike: true },
      { name: 'x', version: null, change: null, lookAlike: false },
    ]);
  });

  it('drops what is malformed and answers null without a package', () => {
    expect(packageFacts({ kind: 'encoded_dns_label', evidence: {} })).toBeNull();
    expect(packageFacts({ kind: 'encoded_dns_label', evidence: { package: 'reqwests' } })).toBeNull();
    expect(packageFacts({ kind: 'encoded_dns_label', evidence: null as unknown as Record<string, unknown> })).toBeNull();
    const facts = packageFacts({
      kind: 'encoded_dns_label',
      evidence: { package: { name: 'x', version: 7, direct: 'yes', dependencyPaths: ['a → x', 3, null], typosquat: [{ resembles: 1 }, 'y', SIGNAL], lockfileChange: [] } },
    });
    expect(facts).toMatchObject({ ecosystem: 'unknown', version: null, direct: null, dependencyPaths: ['a → x'], typosquat: [SIGNAL], lockfileChange: null });
  });
});

describe('processPackage', () => {
  it('reads a build-script node\'s package, and nothing malformed', () => {
    expect(processPackage({ ecosystem: 'cargo', name: 'app', version: '0.1.0', procMacros: ['serde_derive'] }))
      .toEqual({ ecosystem: 'cargo', name: 'app', version: '0.1.0', procMacros: ['serde_derive'] });
    expect(processPackage({ ecosystem: 'npm', name: 'left-pad', version: null })).toEqual({ ecosystem: 'npm', name: 'left-pad', version: null, procMacros: [] });
    expect(processPackage(undefined)).toBeNull();
    expect(processPackage({ name: 5 })).toBeNull();
    expect(processPackage({ name: 'x', ecosystem: 1, version: 2 })).toEqual({ ecosystem: 'unknown', name: 'x', version: null, procMacros: [] });
  });
});
