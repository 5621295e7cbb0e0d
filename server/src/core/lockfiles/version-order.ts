// Orders version strings well enough to call a change an upgrade or a downgrade: semver
// (pre-releases before the release, build metadata ignored), Go's `v` prefix, pseudo-versions and
// `+incompatible`, PEP 440 epochs and a/b/rc/dev (before) and post (after) releases. A total
// order: versions that rank equal but read differently fall back to comparing the text.

type Token = bigint | string;

const preReleaseWord = /^(a|b|c|rc|alpha|beta|pre|preview|dev)$/i;

interface Parsed { epoch: bigint; core: Token[]; pre: Token[] | null }

function parse(version: string): Parsed {
  let v = version.slice(0, 256).trim().replace(/^[vV]/, ''); // ranks on a bounded prefix; ties fall back to the text
  const plus = v.indexOf('+');
  if (plus >= 0) v = v.slice(0, plus);
  let epoch = 0n;
  const e = /^(\d{1,18})!/.exec(v);
  if (e) {
    epoch = BigInt(e[1]!);
    v = v.slice(e[0].length);
  }
  const dash = v.indexOf('-');
  return { epoch, core: tokens(dash < 0 ? v : v.slice(0, dash)), pre: dash < 0 ? null : tokens(v.slice(dash + 1)) };
}

function tokens(s: string): Token[] {
  return (s.match(/\d+|[A-Za-z]+/g) ?? []).slice(0, 64).map((t) => (/^\d/.test(t) ? BigInt(t.slice(0, 64)) : t.toLowerCase()));
}

function compareTokens(a: Token[], b: Token[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return typeof y === 'string' && preReleaseWord.test(y) ? 1 : -1;
    if (y === undefined) return typeof x === 'string' && preReleaseWord.test(x) ? -1 : 1;
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'bigint') {
      return 1; // a number ranks above a word (1.0.1 > 1.0a1; semver: numeric identifiers first)
    } else if (typeof y === 'bigint') {
      return -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** Negative when a is older than b, positive when newer, 0 only for the same text. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parse(a);
  const pb = parse(b);
  if (pa.epoch !== pb.epoch) return pa.epoch < pb.epoch ? -1 : 1;
  const core = compareTokens(pa.core, pb.core);
  if (core !== 0) return core;
  if (pa.pre === null && pb.pre !== null) return 1;
  if (pa.pre !== null && pb.pre === null) return -1;
  const pre = compareTokens(pa.pre ?? [], pb.pre ?? []);
  if (pre !== 0) return pre;
  return a < b ? -1 : 1;
}

/**
 * The versions a resolver treats as compatible (Cargo's and npm's caret rule): `1.x` for 1.2.3,
 * `0.2` for 0.2.5, `0.0.3` for 0.0.3. Two versions of one crate in one lockfile differ here.
 */
export function compatibilityClass(version: string): string {
  const nums = parse(version).core.filter((t): t is bigint => typeof t === 'bigint');
  const i = nums.findIndex((n) => n !== 0n);
  if (i < 0) return nums.join('.');
  return nums.slice(0, i + 1).join('.');
}
