#!/usr/bin/env node
// Builds the well-known package lists the typosquat signal judges against
// (server/src/core/typosquat/data/<ecosystem>.json) from data already on a Debian machine:
// the apt package index, dh-python's PyPI name map, Debian's cargo registry and this repo's lockfiles.
// Nothing is downloaded. Usage: node scripts/build-typosquat-lists.mjs [--check]
// --check exits 1 when a regenerated list differs from the committed one (names only, not dates).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = join(root, 'server/src/core/typosquat/data');
const CARGO_REGISTRY = '/usr/share/cargo/registry';
const DH_PYTHON_MAP = '/usr/share/dh-python/dist/cpython3_fallback';
const NPM_GLOBAL = '/usr/lib/node_modules';
const REFRESH = 'apt-get update && apt-get install -y --no-install-recommends dh-python && node scripts/build-typosquat-lists.mjs';

// ---- the apt index, one stanza per package version -------------------------------------------

function aptStanzas() {
  const text = execFileSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const stanzas = [];
  for (const block of text.split(/\n\n+/)) {
    const fields = new Map();
    let last = '';
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      else {
        const i = line.indexOf(':');
        if (i > 0) { last = line.slice(0, i); fields.set(last, line.slice(i + 1).trim()); }
      }
    }
    if (fields.has('Package')) stanzas.push(fields);
  }
  return stanzas;
}

/** `a (= 1.0), b, c (= 2)` -> [{name, version}] */
function provides(stanza) {
  const raw = stanza.get('Provides');
  if (!raw) return [];
  return raw.split(',').map((p) => {
    const m = p.trim().match(/^(\S+)(?:\s*\(=\s*([^)]+)\))?/);
    return m ? { name: m[1], version: m[2]?.trim() } : undefined;
  }).filter(Boolean);
}

/** Debian version -> the upstream version debcargo puts in Provides (`1:1.2.3+dfsg-2` -> `1.2.3`). */
function upstreamVersion(debVersion) {
  return debVersion.replace(/^\d+:/, '').replace(/-[^-]+$/, '').split(/[+~]/)[0];
}

// ---- cargo -------------------------------------------------------------------------------------

function cargoList(stanzas, seeds) {
  const dashed = new Set();
  const featureNames = new Set();
  for (const s of stanzas) {
    const pkg = s.get('Package');
    const feature = pkg.match(/^librust-.+\+.+-dev$/) && s.get('Description')?.match(/feature "([^"]+)"/);
    if (feature) featureNames.add(feature[1]);
    const m = pkg.match(/^librust-([^+]+)-dev$/);
    if (!m) continue;
    // librust-ahash-0.7-dev is crate ahash; librust-md-5-dev is crate md-5. debcargo always provides
    // librust-<crate>-<upstream version>-dev, which tells the two apart.
    const version = upstreamVersion(s.get('Version') ?? '');
    const exact = provides(s).map((p) => p.name.match(new RegExp(`^librust-(.+)-${escape(version)}-dev$`))).find(Boolean);
    dashed.add((exact ? exact[1] : m[1]).toLowerCase());
  }
  // Debian writes `_` as `-`. crates.io treats the two as the same name, so the judge compares
  // them as equal; the real spelling is only cosmetic. Recover it where a source spells it out.
  const real = new Map();
  const spell = (name) => { if (name.includes('_')) real.set(name.toLowerCase().replace(/_/g, '-'), name.toLowerCase()); };
  for (const f of featureNames) if (dashed.has(f.replace(/_/g, '-'))) spell(f); // optional deps are features named after the crate
  if (existsSync(CARGO_REGISTRY)) {
    for (const dir of readdirSync(CARGO_REGISTRY)) {
      const m = dir.match(/^(.+?)-\d+\.\d+\.\d+.*$/);
      if (m) { dashed.add(m[1].toLowerCase().replace(/_/g, '-')); spell(m[1]); }
    }
  }
  for (const lock of ['bench/fixtures/cargo-real/Cargo.lock', 'drill/project/Cargo.lock', 'test/e2e/fixtures/cargo-exfil/Cargo.lock']) {
    const path = join(root, lock);
    if (!existsSync(path)) continue;
    // Registry crates only: a path crate (a fixture such as the typosquat `url-parsr` the e2e
    // tests build) has no `source` line and must never become a well-known name.
    for (const block of readFileSync(path, 'utf8').split(/^\[\[package\]\]$/m)) {
      const name = /^name = "([^"]+)"/m.exec(block)?.[1];
      if (!name || !/^source = "registry\+/m.test(block)) continue;
      dashed.add(name.toLowerCase().replace(/_/g, '-'));
      spell(name);
    }
  }
  for (const name of seeds) { dashed.add(name.toLowerCase().replace(/_/g, '-')); spell(name); }
  return [...dashed].map((d) => real.get(d) ?? d);
}

// ---- npm ---------------------------------------------------------------------------------------

function npmRealNames() {
  const names = new Set();
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  for (const key of Object.keys(lock.packages ?? {})) {
    const m = key.match(/node_modules\/((?:@[^/]+\/)?[^/]+)$/);
    if (m) names.add(m[1]);
  }
  // npm's own bundled dependencies (and any global package), real names from their package.json.
  const walk = (dir, depth) => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry.startsWith('.') || !statSync(path).isDirectory()) continue;
      if (entry.startsWith('@')) { walk(path, depth); continue; }
      try {
        const name = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')).name;
        if (typeof name === 'string' && name) names.add(name);
      } catch { /* not a package */ }
      walk(join(path, 'node_modules'), depth + 1);
    }
  };
  walk(NPM_GLOBAL, 0);
  return names;
}

function npmList(stanzas, seeds) {
  const real = npmRealNames();
  for (const n of seeds) real.add(n);
  const scoped = new Map(); // `scope-sub` -> `@scope/sub`, from names known to be real
  for (const n of real) if (n.startsWith('@')) scoped.set(n.slice(1).replace('/', '-'), n);
  const out = new Set([...real].map((n) => n.toLowerCase()));
  const toNpm = (deb, version) => {
    // Debian package names have no `_`: lodash._reescape is packaged as node-lodash.-reescape.
    const rest = deb.slice('node-'.length).replace(/\.-/g, '._');
    if (rest.startsWith('types-')) {
      const t = rest.slice('types-'.length);
      const s = scoped.get(t) ?? (t.startsWith('babel-') ? `@babel/${t.slice(6)}` : undefined);
      return `@types/${s ? s.slice(1).replace('/', '__') : t}`; // DefinitelyTyped spells @a/b as @types/a__b
    }
    if (scoped.has(rest)) return scoped.get(rest);
    // node-babel7 embeds Babel 7, which is published under @babel/ (babel-core and friends are Babel 6).
    if (rest.startsWith('babel-') && version?.startsWith('7.')) return `@babel/${rest.slice(6)}`;
    // Upstream's own name may start with node- (node-fetch, node-gyp): only a real-name source
    // (or seeds.json) can say so; the package's Homepage cannot (node-glob's repository is
    // node-glob, its npm name is glob). A wrong node-X here would hide the squat node-X.
    return real.has(deb) ? deb : rest;
  };
  for (const s of stanzas) {
    const pkg = s.get('Package');
    if (pkg.startsWith('node-') && !pkg.endsWith('-doc')) out.add(toNpm(pkg));
    // Any package (webpack, eslint, jest, npm itself) lists the node modules it ships as versioned Provides.
    for (const p of provides(s)) if (p.name.startsWith('node-') && p.version) out.add(toNpm(p.name, p.version));
  }
  return [...out].filter((n) => /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(n));
}

// ---- pypi --------------------------------------------------------------------------------------

function pep503(name) {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function pypiList() {
  // dh-python ships the archive's map of PyPI distribution name -> Debian package, made from the
  // .dist-info/.egg-info directories in the packages. It has the real names (PyYAML, python_dateutil).
  if (!existsSync(DH_PYTHON_MAP)) throw new Error(`${DH_PYTHON_MAP} is missing: apt-get install dh-python`);
  const names = new Set();
  for (const line of readFileSync(DH_PYTHON_MAP, 'utf8').split('\n')) {
    const dist = line.trim().split(/\s+/)[0];
    if (dist && /^[A-Za-z0-9]/.test(dist)) names.add(pep503(dist)); // _pycbf and the like are not PyPI names
  }
  return [...names];
}

// ---- go ----------------------------------------------------------------------------------------

const GO_HOSTS = { 'github.com': 'github', 'gitlab.com': 'gitlab', 'bitbucket.org': 'bitbucket', 'codeberg.org': 'codeberg' };

function goList(stanzas) {
  const out = new Set();
  const slugOf = (s) => s.toLowerCase().replace(/[_.]/g, '-');
  for (const s of stanzas) {
    const m = s.get('Package').match(/^golang-(.+)-dev$/);
    if (!m) continue;
    const slug = m[1];
    const x = slug.match(/^golang-x-([a-z0-9]+)$/);
    if (x) { out.add(`golang.org/x/${x[1]}`); continue; }
    const g = slug.match(/^google-(grpc|protobuf|genproto|api|appengine|cloud)$/);
    if (g) { out.add(`google.golang.org/${g[1]}`); continue; }
    const home = s.get('Homepage')?.match(/^https?:\/\/(?:www\.)?([^/]+)\/([^/]+)\/([^/#?]+?)(?:\.git)?\/?$/);
    const gopkg = slug.match(/^gopkg-(.+)\.(v\d+)$/);
    if (gopkg) {
      if (!gopkg[1].includes('-')) out.add(`gopkg.in/${gopkg[1]}.${gopkg[2]}`);
      else if (home && slugOf(`${home[2]}-${home[3]}`) === slugOf(gopkg[1])) out.add(`gopkg.in/${home[2]}/${home[3]}.${gopkg[2]}`);
      continue;
    }
    // Only where the Homepage is a forge repository whose path is exactly what the package name
    // encodes: then the repository path is the module path (less a /vN suffix).
    if (!home || !GO_HOSTS[home[1]]) continue;
    const path = `${home[1]}/${home[2]}/${home[3]}`;
    if (slugOf(`${GO_HOSTS[home[1]]}-${home[2]}-${home[3]}`) === slugOf(slug.replace(/-v\d+$/, ''))) out.add(path);
  }
  return [...out];
}

// ---- output ------------------------------------------------------------------------------------

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function snapshot() {
  // The apt index this ran against: the Date of the newest InRelease file.
  const dir = '/var/lib/apt/lists';
  let newest = '';
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!f.endsWith('_InRelease')) continue;
    const date = readFileSync(join(dir, f), 'utf8').match(/^Date: (.+)$/m)?.[1];
    if (date && (!newest || Date.parse(date) > Date.parse(newest))) newest = date;
  }
  return newest ? new Date(newest).toISOString() : 'unknown';
}

function write(ecosystem, names, source, check) {
  const sorted = [...new Set(names)].sort();
  const header = {
    ecosystem,
    source,
    aptIndexDate: snapshot(),
    generatedAt: new Date(process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now()).toISOString(),
    count: sorted.length,
    howToRefresh: REFRESH,
  };
  const text = `{\n  "header": ${JSON.stringify(header)},\n  "names": [\n${sorted.map((n) => `    ${JSON.stringify(n)}`).join(',\n')}\n  ]\n}\n`;
  const path = join(outDir, `${ecosystem}.json`);
  if (check) {
    const old = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).names : [];
    const same = old.length === sorted.length && old.every((n, i) => n === sorted[i]);
    console.log(`${ecosystem}: ${sorted.length} names${same ? '' : ` (committed: ${old.length}, differs)`}`);
    return same;
  }
  writeFileSync(path, text);
  console.log(`${ecosystem}: ${sorted.length} names, ${text.length} bytes -> ${path}`);
  return true;
}

// Hand-picked names Debian misses, each with a reason (see the file's "about").
function seeds() {
  const doc = JSON.parse(readFileSync(join(outDir, 'seeds.json'), 'utf8'));
  return (ecosystem) => Object.keys(doc[ecosystem] ?? {});
}

const check = process.argv.includes('--check');
const stanzas = aptStanzas();
const seed = seeds();
const withSeeds = (ecosystem, names) => [...names, ...seed(ecosystem)];
const SEEDED = ', plus data/seeds.json (hand-picked, each with its reason)';
const results = [
  write('cargo', cargoList(stanzas, seed('cargo')), `Debian librust-*-dev packages (crate name from debcargo Provides), /usr/share/cargo/registry, this repo's Cargo.lock files${SEEDED}`, check),
  write('npm', withSeeds('npm', npmList(stanzas, seed('npm'))), `Debian node-* packages and the node modules Debian packages embed (versioned Provides), this repo's package-lock.json, npm's bundled dependencies${SEEDED}`, check),
  write('pypi', withSeeds('pypi', pypiList()), `dh-python's cpython3_fallback (the archive's PyPI distribution -> Debian package map), PEP 503 normalised${SEEDED}`, check),
  write('go', withSeeds('go', goList(stanzas)), `Debian golang-*-dev packages whose Homepage repository matches the package name; golang.org/x, google.golang.org and gopkg.in by Debian's naming convention${SEEDED}`, check),
];
if (results.includes(false)) process.exitCode = 1;
