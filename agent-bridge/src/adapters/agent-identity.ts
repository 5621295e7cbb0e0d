// Who this agent is to the collector: a spool-scoped id under the agent's name (given, or the
// CN of its client certificate), and the TLS material its forwarder presents.
import { randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config.js';
import { AgentConfigError } from '../config.js';
import type { ForwarderTls } from './forwarder.js';

export interface AgentIdentity {
  /** `name/<spool id>` when the agent has a name, else the bare spool id. */
  agentId: string;
  agentName: string | undefined;
  tls: ForwarderTls | undefined;
}

/**
 * The spool's id. A new spool restarts sequences at 1: it must come with a new id, or the
 * collector would take its first batches for duplicates of the old spool's. The collector
 * binds credentials to the name before the slash, so a new spool keeps its credentials.
 */
function spoolId(dataDir: string, spoolFile: string): string {
  const file = join(dataDir, 'agent-id');
  if (existsSync(file) && existsSync(join(dataDir, spoolFile))) return readFileSync(file, 'utf8').trim();
  const id = randomUUID();
  writeFileSync(file, id + '\n');
  return id;
}

function certificateCn(pem: Buffer): string | undefined {
  const subject = new X509Certificate(pem).subject;
  return /^CN=(.+)$/m.exec(subject)?.[1];
}

export function agentIdentity(config: AgentConfig, spoolFile: string): AgentIdentity {
  let tls: ForwarderTls | undefined;
  let certName: string | undefined;
  if (config.tls) {
    const read = (path: string) => {
      try {
        return readFileSync(path);
      } catch (err) {
        throw new AgentConfigError(`cannot read ${path}: ${(err as Error).message}`);
      }
    };
    tls = { ca: read(config.tls.caPath), ...(config.tls.serverName ? { serverName: config.tls.serverName } : {}) };
    if (config.tls.certPath && config.tls.keyPath) {
      tls.cert = read(config.tls.certPath);
      tls.key = read(config.tls.keyPath);
      certName = certificateCn(tls.cert);
    }
  }
  if (config.agentName && certName && config.agentName !== certName) {
    throw new AgentConfigError(`--agent-name ${config.agentName} differs from the certificate's CN ${certName}: the collector would refuse every batch`);
  }
  const agentName = config.agentName ?? certName;
  const id = spoolId(config.dataDir, spoolFile);
  return { agentId: agentName ? `${agentName}/${id}` : id, agentName, tls };
}
