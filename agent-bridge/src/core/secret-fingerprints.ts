// Did a real secret leave? The agent keeps, for the secret-like environment variables of a
// build, only keyed fingerprints of short pieces of each value's usual encodings (raw, hex,
// base32, base64, base64url), never the values. Each DNS query of the build is cut into the
// same pieces and looked up; the positions of the encoded value its pieces cover, across
// queries and labels, say how much of the value the queries carry. Pure: the keyed hash is
// passed in (the adapter uses HMAC with a key that lives only in the agent's memory).

/** A keyed hash of one piece; equal pieces give equal fingerprints, nothing else does. */
export type PieceHash = (piece: string) => string;

export type SecretEncoding = 'raw' | 'hex' | 'base32' | 'base64' | 'base64url';

export interface SecretSpec {
  /** Variable names that hold secrets: `*` matches any run of characters; matched case-insensitively. */
  namePatterns: readonly string[];
  /** Names that match a pattern but are not secrets (AWS_REGION). */
  notSecret: readonly string[];
  /** Values shorter than this, or with fewer distinct characters than `minDistinct`, are not fingerprinted. */
  minLength: number;
  minDistinct: number;
  /** Characters per piece: one piece matching is ~piece × 5 bits of evidence. */
  piece: number;
  /** Variables fingerprinted per build at most. */
  maxVariables: number;
}

export const SECRET_DEFAULTS: SecretSpec = {
  // AWS by name, not AWS_*: most AWS_ variables (region, bucket, account id, endpoint, role ARN)
  // are not secret and appear in the very names a build resolves.
  namePatterns: [
    '*_TOKEN', '*_SECRET', '*_SECRET_*', '*_KEY', '*_PASSWORD', '*_PASS', '*_CREDENTIALS', 'GITHUB_TOKEN', 'NPM_TOKEN',
    'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_ACCESS_KEY_ID',
  ],
  notSecret: ['AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'GOOGLE_APPLICATION_CREDENTIALS'],
  minLength: 12,
  minDistinct: 6,
  piece: 10,
  maxVariables: 64,
};

function patternRegex(p: string): RegExp {
  return new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

/** Which variable names the spec treats as secrets. */
export function compileSecretNames(spec: Pick<SecretSpec, 'namePatterns' | 'notSecret'>): (name: string) => boolean {
  const patterns = spec.namePatterns.map(patternRegex);
  const not = new Set(spec.notSecret.map((n) => n.toUpperCase()));
  return (name) => !not.has(name.toUpperCase()) && patterns.some((p) => p.test(name));
}

/**
 * The encodings a leak would use, each as the string that would appear in a name. The
 * byte-aligned ones are also taken from every starting byte (a value encoded after a
 * prefix, or cut into chunks encoded separately, shifts the alignment); what the queries
 * carry is counted in bytes of the value, whichever alignment carried them.
 */
export function encodingsOf(value: string): EncodedText[] {
  const bytes = utf8(value);
  const out: EncodedText[] = [];
  // Raw: what can stand in a DNS label as is (letters, digits, '-', '_'), runs of it, case ignored.
  const lower = new TextDecoder().decode(bytes).toLowerCase();
  for (const m of lower.matchAll(/[a-z0-9_-]+/g)) {
    out.push({ encoding: 'raw', text: m[0], caseSensitive: false, byteOffset: utf8(lower.slice(0, m.index)).length, bitsPerChar: 8 });
  }
  out.push({ encoding: 'hex', text: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(''), caseSensitive: false, byteOffset: 0, bitsPerChar: 4 });
  for (let skip = 0; skip < 5 && skip < bytes.length; skip++) {
    out.push({ encoding: 'base32', text: base32(bytes.subarray(skip)), caseSensitive: false, byteOffset: skip, bitsPerChar: 5 });
  }
  for (let skip = 0; skip < 3 && skip < bytes.length; skip++) {
    const b64 = base64(bytes.subarray(skip));
    out.push({ encoding: 'base64', text: b64, caseSensitive: true, byteOffset: skip, bitsPerChar: 6 });
    const url = b64.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== b64) out.push({ encoding: 'base64url', text: url, caseSensitive: true, byteOffset: skip, bitsPerChar: 6 });
  }
  return out;
}

/** One way the value could appear in a name: the text, and where its characters sit in the value. */
export interface EncodedText {
  encoding: SecretEncoding;
  text: string;
  caseSensitive: boolean;
  /** The value's byte the text starts at (an encoding taken from a later byte, or a raw run). */
  byteOffset: number;
  bitsPerChar: number;
}

interface PieceHit {
  variable: number;
  encoding: number;
  offset: number;
}

interface EncodedForm {
  encoding: SecretEncoding;
  caseSensitive: boolean;
  byteOffset: number;
  bitsPerChar: number;
}

interface Variable {
  name: string;
  /** Bytes of the value (UTF-8). */
  valueBytes: number;
  /** 1 for bytes every value of its kind shares (not counted as carried), else 0. */
  constant: Uint8Array;
  forms: EncodedForm[];
}

/** What a build's secrets left behind: fingerprints of pieces, where each piece sits, no values. */
export interface SecretIndex {
  readonly piece: number;
  readonly variables: readonly Variable[];
  readonly pieces: ReadonlyMap<string, readonly PieceHit[]>;
  /** Secret-like variables skipped as too short or too plain to fingerprint. */
  readonly skipped: readonly string[];
}

/**
 * Fingerprints the secret-like variables of an environment. The values are read here and
 * not kept: only `hash(piece)` and each piece's position are.
 */
export function fingerprintSecrets(env: Iterable<readonly [string, string]>, hash: PieceHash, spec: SecretSpec = SECRET_DEFAULTS): SecretIndex {
  const isSecret = compileSecretNames(spec);
  const variables: Variable[] = [];
  const pieces = new Map<string, PieceHit[]>();
  const skipped: string[] = [];
  for (const [name, value] of env) {
    if (!isSecret(name) || looksPublic(value)) continue;
    if (value.length < spec.minLength || new Set(value).size < spec.minDistinct || variables.length >= spec.maxVariables) {
      skipped.push(name);
      continue;
    }
    const v = variables.length;
    const constant = constantBytes(value);
    const forms = encodingsOf(value);
    variables.push({
      name, valueBytes: utf8(value).length, constant,
      forms: forms.map((f) => ({ encoding: f.encoding, caseSensitive: f.caseSensitive, byteOffset: f.byteOffset, bitsPerChar: f.bitsPerChar })),
    });
    forms.forEach((f, e) => {
      for (let at = 0; at + spec.piece <= f.text.length; at++) {
        // A piece inside the value's constant parts (a token's fixed prefix, a JWT's header)
        // would match every token of that kind: not a fingerprint of this value.
        const [first, end] = bytesOfPiece(f, at, spec.piece);
        if (!anyVariable(constant, first, end)) continue;
        const key = hash(f.text.slice(at, at + spec.piece));
        let hits = pieces.get(key);
        if (!hits) pieces.set(key, (hits = []));
        hits.push({ variable: v, encoding: e, offset: at });
      }
    });
  }
  return { piece: spec.piece, variables, pieces, skipped };
}

/** Per variable, the bytes of its value the queries so far carried (1 each), and by which encoding. */
export type LeakState = Map<number, { bytes: Uint8Array; byEncoding: Map<SecretEncoding, number> }>;

export interface SecretLeak {
  variable: string;
  /** The encoding that carried the most of it. */
  encoding: SecretEncoding;
  /** Bytes of the value the queries so far carry, of `valueBytes` (its bytes less the constant parts every such token shares). */
  coveredBytes: number;
  valueBytes: number;
  /** coveredBytes / valueBytes, 0..1: how much of the value the queries reconstruct. */
  fraction: number;
}

/**
 * Looks the subdomain labels of one query up, adds what they carry to `state`, and returns
 * the variables that grew (with their coverage so far). Labels are read joined too: a value
 * split across labels is one string to the sender.
 */
export function matchLabels(index: SecretIndex, labels: readonly string[], hash: PieceHash, state: LeakState): SecretLeak[] {
  if (index.pieces.size === 0) return [];
  const grew = new Set<number>();
  const texts = new Set<string>([labels.join(''), ...labels]);
  for (const text of texts) {
    for (const candidate of new Set([text, text.toLowerCase()])) {
      for (let at = 0; at + index.piece <= candidate.length; at++) {
        const hits = index.pieces.get(hash(candidate.slice(at, at + index.piece)));
        if (!hits) continue;
        for (const h of hits) {
          const variable = index.variables[h.variable]!;
          const form = variable.forms[h.encoding]!;
          // A case-sensitive form only counts for the text as sent, not its lower-cased copy.
          if (form.caseSensitive && candidate !== text) continue;
          let seen = state.get(h.variable);
          if (!seen) state.set(h.variable, (seen = { bytes: new Uint8Array(variable.valueBytes), byEncoding: new Map() }));
          // The value's bytes whose every bit lies inside the piece.
          const [first, end] = bytesOfPiece(form, h.offset, index.piece);
          let added = 0;
          for (let b = first; b < end && b < seen.bytes.length; b++) {
            if (seen.bytes[b] === 0 && variable.constant[b] === 0) { seen.bytes[b] = 1; added++; }
          }
          if (added > 0) {
            seen.byEncoding.set(form.encoding, (seen.byEncoding.get(form.encoding) ?? 0) + added);
            grew.add(h.variable);
          }
        }
      }
    }
  }
  return [...grew].map((v) => coverageOf(index, v, state));
}

function coverageOf(index: SecretIndex, v: number, state: LeakState): SecretLeak {
  const variable = index.variables[v]!;
  const seen = state.get(v)!;
  let covered = 0;
  for (const x of seen.bytes) covered += x;
  let secretBytes = 0;
  for (const c of variable.constant) secretBytes += 1 - c;
  const encoding = [...seen.byEncoding].sort((a, b) => b[1] - a[1])[0]![0];
  // Counted over the bytes that make this value this value (constant parts left out).
  return { variable: variable.name, encoding, coveredBytes: covered, valueBytes: secretBytes, fraction: covered / Math.max(1, secretBytes) };
}

/** The value's bytes whose every bit lies inside the piece at character `at` of an encoded form. */
function bytesOfPiece(form: { byteOffset: number; bitsPerChar: number }, at: number, piece: number): [number, number] {
  return [form.byteOffset + Math.ceil((at * form.bitsPerChar) / 8), form.byteOffset + Math.floor(((at + piece) * form.bitsPerChar) / 8)];
}

function anyVariable(constant: Uint8Array, first: number, end: number): boolean {
  for (let b = first; b < end && b < constant.length; b++) if (constant[b] === 0) return true;
  return false;
}

/**
 * Values that are addresses, not secrets, even under a secret-like name: URLs, host names,
 * paths, ARNs, e-mail addresses, account numbers. They appear in the names a build resolves.
 */
export function looksPublic(value: string): boolean {
  const v = value.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(v) // a URL
    || /^arn:/i.test(v)
    || /^[~./]/.test(v) // a path
    || /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.?(:\d+)?$/.test(v) && /[A-Za-z]/.test(v.split('.').at(-1) ?? '') // a host name
    || /^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(v) // an e-mail address
    || /^\d{1,16}$/.test(v); // an account or project number
}

/** Fixed prefixes of well-known token formats (every token of the kind starts so). */
const TOKEN_PREFIXES = ['github_pat_', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'glpat-', 'xoxb-', 'xoxp-', 'xoxa-', 'sk_live_', 'sk_test_', 'rk_live_', 'npm_', 'AKIA', 'ASIA', 'AIza', 'SG.'];

/**
 * The bytes of a value every value of its kind shares: a token format's prefix, a JWT's header
 * and claims, PEM armour lines and the fixed preamble of an OpenSSH key. Matching them proves
 * nothing about this value.
 */
export function constantBytes(value: string): Uint8Array {
  const bytes = utf8(value);
  const mask = new Uint8Array(bytes.length);
  const markText = (from: number, to: number) => mask.fill(1, utf8(value.slice(0, from)).length, utf8(value.slice(0, to)).length);
  const prefix = TOKEN_PREFIXES.find((p) => value.startsWith(p));
  if (prefix !== undefined) markText(0, prefix.length);
  // A JWT: its header and claims are shared with every token of the issuer (claim names, often
  // values); the signature is what makes it this token, and any leak of the token carries it.
  if (/^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(value)) markText(0, value.lastIndexOf('.') + 1);
  for (const m of value.matchAll(/-----(BEGIN|END) [A-Z0-9 ]+-----/g)) markText(m.index, m.index + m[0].length);
  const openssh = value.indexOf('b3BlbnNzaC1rZXktdjEAAAAA');
  if (openssh >= 0) markText(openssh, Math.min(value.length, openssh + 70)); // "openssh-key-v1" + cipher/kdf header
  return mask;
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < chars; c++) out += B64[(n >>> (18 - 6 * c)) & 63];
  }
  return out;
}
