// A DNS name laid out label by label, each judged the way encoded_dns_label judges it, so a
// person sees which labels carried data and why (alphabet, entropy, bits).
import type { DecodedLabel, DecodedQuery } from '@telltale/proto';
import { scoreLabel } from '../label-score.js';

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * `qname` is the stored (lower-cased) name; `sentSubdomain`, when the detector kept them, are
 * the labels left of the domain as sent, case preserved (base64 keeps its case on the wire).
 */
export function decodeQuery(qname: string, domain: string | null, sentSubdomain?: readonly string[]): DecodedQuery {
  const labels = qname === '' ? [] : qname.split('.');
  const domainLabels = domain ? domain.split('.').length : 0;
  const subdomainCount = domain && qname.endsWith(domain) ? labels.length - domainLabels : labels.length;
  const useSent = sentSubdomain !== undefined && sentSubdomain.length === subdomainCount &&
    sentSubdomain.every((l, i) => l.toLowerCase() === labels[i]);
  return {
    qname, domain,
    labels: labels.map((text, i): DecodedLabel => {
      const shown = useSent && i < subdomainCount ? sentSubdomain[i]! : text;
      const role = i < subdomainCount ? 'subdomain' : i === subdomainCount ? 'domain' : 'suffix';
      const s = scoreLabel(shown);
      return {
        text: shown, role, length: s.length, alphabet: s.alphabet, alphabetSize: s.alphabetSize,
        entropy: round(s.entropy, 3), expectedEntropy: round(s.expectedEntropy, 3), randomness: round(s.randomness, 3), bits: round(s.bits, 1),
      };
    }),
  };
}
