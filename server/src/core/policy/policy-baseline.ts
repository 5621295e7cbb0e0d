// What a policy is generated from: one version of a pipeline's baseline, reduced to the
// names, domains and destinations its builds may reach. Built by the collector from its
// store; the generators (one file per format) only read it.

export type BaselineReadiness =
  /** Learning is over (or an operator approved a version): the baseline can be enforced. */
  | 'ready'
  /** Still learning: a policy from it would block what the next builds legitimately use. */
  | 'learning'
  /** Nothing learnt or approved yet. */
  | 'empty';

export interface PolicyDestination {
  /** Textual IP address (IPv4 dotted quad or RFC 5952 IPv6), never a name. */
  address: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

export interface PolicyBaseline {
  pipeline: string;
  /** The baseline version the policy is generated from (0 when none exists). */
  version: number;
  /** When the export was made, microseconds since the Unix epoch. */
  generatedAtUs: number;
  readiness: BaselineReadiness;
  learnedBuilds: number;
  learningBuilds: number;
  /** Exact DNS names the builds resolved (lower case, no trailing dot); only these, not their siblings. */
  names: readonly string[];
  /** Registrable domains an operator allowed as a whole: every name under them is allowed. */
  domains: readonly string[];
  /** Addresses and ports the builds connected to (DNS resolvers included). */
  destinations: readonly PolicyDestination[];
}
