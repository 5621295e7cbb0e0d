// The deploy kit's files, read once for the deploy-kit tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');

export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Paths (relative to the repository) of every file under deploy/. */
export function deployFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(ROOT, path));
    }
  };
  walk(DEPLOY);
  return out;
}

export const yamlFiles = (): string[] => deployFiles().filter((f) => /\.ya?ml$/.test(f));

/** A parsed YAML value; the tests check its shape field by field. */
export type Doc = any;

/** The documents of a YAML file as plain values, failing on any error or warning. */
export function loadYaml(path: string): Doc[] {
  const docs = parseAllDocuments(read(path));
  const problems = docs.flatMap((d) => [...d.errors, ...d.warnings].map((e) => `${path}: ${e.message}`));
  if (problems.length) throw new Error(problems.join('\n'));
  return docs.map((d) => d.toJS()).filter((v) => v !== null && v !== undefined);
}

export interface K8sObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Doc;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

/** Every Kubernetes object of deploy/kubernetes (Helm values and the kustomization left out). */
export function k8sObjects(): K8sObject[] {
  return yamlFiles()
    .filter((f) => f.startsWith('deploy/kubernetes/') && !f.includes('/helm/') && !f.endsWith('kustomization.yaml'))
    .flatMap((file) => loadYaml(file).map((o: Doc) => ({ ...o, file })));
}

/** A workload's pod template spec (Deployment, DaemonSet). */
export const podSpec = (o: K8sObject): Doc => o.spec.template.spec;
