// protojson renders google.protobuf.Timestamp as RFC 3339 text ("2024-07-26T13:07:43.178407128Z").
// Read as text so the nanoseconds are never squeezed through a float or Date.parse.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Microseconds since the Unix epoch (nanoseconds truncated), or null when the text is not an
 * RFC 3339 time, lies before 1970 or beyond what a double holds exactly (about the year 2255).
 */
export function rfc3339ToUs(text: string): number | null {
  if (text.length > 40) return null;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : DAYS[mo - 1]!)) return null;
  let offsetMin = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Whole milliseconds from integers are exact; the fraction is added as an integer too.
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
  const fracUs = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0').slice(0, 6));
  const us = ms * 1000 + fracUs;
  return Number.isSafeInteger(us) && us >= 0 ? us : null;
}
