// Exports the pipeline's baseline as a policy (Tetragon, Falco, resolver allowlists, nftables, the DNS
// guard's allowlist, CI snippets): the options each format can use, a preview, and a download fetched
// with the operator token (a header, so a plain link cannot carry it).
import { useState, type ReactNode } from 'react';
import type { PipelineSummary } from '../api-types';
import { asFailure, getFile, type ApiFailure } from '../api';
import { EMPTY_POLICY_FORM, POLICY_FORMATS, dispositionFilename, policyPath, previewLines, type PolicyForm } from '../policy-query';
import { showControls } from '../visible-text';

const PREVIEW_LINES = 200;

interface Fetched { text: string; filename: string; contentType: string; path: string }

export function PolicyExport({ summary: s }: { summary: PipelineSummary }) {
  const [form, setForm] = useState<PolicyForm>(EMPTY_POLICY_FORM);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [fetched, setFetched] = useState<Fetched | null>(null);
  const path = policyPath(s.pipeline, form);
  const set = (patch: Partial<PolicyForm>) => setForm((f) => ({ ...f, ...patch }));

  const load = async (download: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const f = await getFile(path);
      const got = { text: f.text, contentType: f.contentType, path, filename: dispositionFilename(f.disposition, `telltale-policy-${form.format}.txt`) };
      setFetched(got);
      if (download) save(got);
    } catch (err) {
      setFetched(null);
      setError(asFailure(err));
    } finally {
      setBusy(false);
    }
  };

  const preview = fetched && fetched.path === path ? previewLines(fetched.text, PREVIEW_LINES) : null;
  return (
    <section className="panel" data-testid="policy-export">
      <h2>Export policy</h2>
      <p className="hint">
        The baseline (version {s.version}) as a policy file. Audit reports what falls outside it; enforce refuses it where the format can.
        {s.learning && ' The baseline is still learning: the collector refuses to export it unless you ask for it anyway.'}
      </p>
      <form className="export-form" onSubmit={(e) => { e.preventDefault(); void load(true); }}>
        <Field label="format">
          <select value={form.format} data-testid="policy-format" onChange={(e) => set({ format: e.target.value as PolicyForm['format'] })}>
            {POLICY_FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </Field>
        <Field label="mode">
          <select value={form.mode} data-testid="policy-mode" onChange={(e) => set({ mode: e.target.value === 'enforce' ? 'enforce' : 'audit' })}>
            <option value="audit">audit</option>
            <option value="enforce">enforce</option>
          </select>
        </Field>
        <Field label="uid" hint="nftables, falco"><input type="text" className="narrow" data-testid="policy-uid" value={form.uid} onChange={(e) => set({ uid: e.target.value })} /></Field>
        <Field label="cgroup" hint="nftables"><input type="text" data-testid="policy-cgroup" value={form.cgroup} placeholder="ci.slice/build" onChange={(e) => set({ cgroup: e.target.value })} /></Field>
        <Field label="namespace" hint="tetragon, falco"><input type="text" data-testid="policy-namespace" value={form.namespace} onChange={(e) => set({ namespace: e.target.value })} /></Field>
        <Field label="pod labels" hint="key=value, …"><input type="text" data-testid="policy-pod-labels" value={form.podLabels} placeholder="app=build" onChange={(e) => set({ podLabels: e.target.value })} /></Field>
        <Field label="upstream" hint="unbound, dnsmasq"><input type="text" data-testid="policy-upstream" value={form.upstream} placeholder="192.0.2.53@53" onChange={(e) => set({ upstream: e.target.value })} /></Field>
        <label className="check">
          <input type="checkbox" data-testid="policy-allow-unready" checked={form.allowUnready} onChange={(e) => set({ allowUnready: e.target.checked })} />
          export even if the baseline is not ready
        </label>
        <div className="form-buttons">
          <button type="button" data-testid="policy-preview-button" disabled={busy} onClick={() => void load(false)}>Preview</button>
          <button type="submit" className="primary" data-testid="policy-download" disabled={busy}>{busy ? 'Fetching…' : 'Download'}</button>
        </div>
      </form>
      {error && (
        <div className={`banner inline ${error.code === 'BASELINE_NOT_READY' ? 'banner-warn' : 'banner-error'}`} role="alert" data-testid="policy-error" data-code={error.code}>
          {error.code === 'BASELINE_NOT_READY' ? <b>Not ready to export. </b> : <code>{error.code}</code>} {error.message}
          {error.code === 'BASELINE_NOT_READY' && !form.allowUnready && <div>Tick “export even if the baseline is not ready” to get it anyway (the file says so at the top).</div>}
        </div>
      )}
      {preview && fetched && (
        <div className="policy-preview-wrap">
          <div className="hint" data-testid="policy-preview-meta">
            <span className="mono">{fetched.filename}</span> · {preview.shown < preview.total ? `first ${preview.shown} of ${preview.total} lines` : `${preview.total} lines`}
            {' '}<button type="button" className="link-button" onClick={() => save(fetched)}>download again</button>
          </div>
          <pre className="policy-preview" data-testid="policy-preview">{preview.text.split('\n').map(showControls).join('\n')}</pre>
        </div>
      )}
    </section>
  );
}

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}{hint && <span className="muted"> ({hint})</span>}</span>
      {children}
    </label>
  );
}

/** Hands the text to the browser as a file: a Blob behind a temporary object URL. */
function save(f: Fetched): void {
  const href = URL.createObjectURL(new Blob([f.text], { type: f.contentType }));
  const a = document.createElement('a');
  a.href = href;
  a.download = f.filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
}
