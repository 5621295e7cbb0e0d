// The collector's SQLite schema, as ordered migrations applied in code at open.
// A migration, once shipped, is never edited: add the next one.
// Every applied batch is kept as received (batches, indexed by build in build_batches): the
// event log is the evidence, and process trees are rebuilt from it on read. DNS names and
// destinations are aggregated per build (a name asked 10,000 times is one row with a count),
// which keeps ingest at one row per batch plus one per new name or destination.

export const migrations: readonly string[] = [
  `CREATE TABLE agents (
     agent_id TEXT PRIMARY KEY,
     last_sequence INTEGER NOT NULL,
     updated_us INTEGER NOT NULL
   );
   CREATE TABLE builds (
     id TEXT PRIMARY KEY,
     pipeline TEXT NOT NULL,
     run_id TEXT NOT NULL,
     job TEXT NOT NULL,
     repo TEXT NOT NULL,
     commit_sha TEXT NOT NULL,
     agent_host TEXT NOT NULL,
     ci_provider TEXT NOT NULL,
     root_pid INTEGER NOT NULL,
     started_us INTEGER NOT NULL,
     ended_us INTEGER,
     exit_code INTEGER,
     processes INTEGER NOT NULL DEFAULT 0,
     dns_queries INTEGER NOT NULL DEFAULT 0,
     connects INTEGER NOT NULL DEFAULT 0,
     alerts INTEGER NOT NULL DEFAULT 0,
     lost_events INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX builds_pipeline_started ON builds (pipeline, started_us DESC);
   CREATE INDEX builds_started ON builds (started_us DESC);
   CREATE TABLE batches (
     agent_id TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     received_us INTEGER NOT NULL,
     bytes BLOB NOT NULL,
     PRIMARY KEY (agent_id, sequence)
   );
   CREATE TABLE build_batches (
     build_id TEXT NOT NULL,
     agent_id TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     PRIMARY KEY (build_id, agent_id, sequence)
   ) WITHOUT ROWID;
   CREATE TABLE dns_names (
     build_id TEXT NOT NULL,
     qname TEXT NOT NULL,
     qtype TEXT NOT NULL,
     domain TEXT,
     partial INTEGER NOT NULL,
     server TEXT NOT NULL,
     port INTEGER NOT NULL,
     first_pid INTEGER NOT NULL,
     first_us INTEGER NOT NULL,
     last_us INTEGER NOT NULL,
     count INTEGER NOT NULL,
     baseline_known INTEGER NOT NULL,
     PRIMARY KEY (build_id, qname, qtype)
   ) WITHOUT ROWID;
   CREATE INDEX dns_names_domain ON dns_names (domain);
   CREATE TABLE destinations (
     build_id TEXT NOT NULL,
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     protocol TEXT NOT NULL,
     family TEXT NOT NULL,
     external INTEGER NOT NULL,
     first_pid INTEGER NOT NULL,
     first_us INTEGER NOT NULL,
     last_us INTEGER NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (build_id, address, port, protocol)
   ) WITHOUT ROWID;
   CREATE TABLE alerts (
     id TEXT PRIMARY KEY,
     dedupe_key TEXT NOT NULL UNIQUE,
     build_id TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     run_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     qname TEXT,
     domain TEXT,
     address TEXT,
     pid INTEGER NOT NULL,
     chain TEXT NOT NULL,
     evidence TEXT NOT NULL,
     event_us INTEGER NOT NULL,
     created_us INTEGER NOT NULL
   );
   CREATE INDEX alerts_created ON alerts (created_us DESC);
   CREATE INDEX alerts_pipeline_created ON alerts (pipeline, created_us DESC);
   CREATE INDEX alerts_build ON alerts (build_id);
   CREATE TABLE baseline_domains (
     pipeline TEXT NOT NULL,
     domain TEXT NOT NULL,
     first_seen_us INTEGER NOT NULL,
     build_id TEXT NOT NULL,
     PRIMARY KEY (pipeline, domain)
   ) WITHOUT ROWID;
   CREATE TABLE baseline_poisoned (
     pipeline TEXT NOT NULL,
     domain TEXT NOT NULL,
     first_seen_us INTEGER NOT NULL,
     build_id TEXT NOT NULL,
     PRIMARY KEY (pipeline, domain)
   ) WITHOUT ROWID;
   CREATE TABLE baselines (
     pipeline TEXT PRIMARY KEY,
     learned_builds INTEGER NOT NULL
   );`,
  // Retention looks batches up from build_batches by (agent, sequence).
  `CREATE INDEX build_batches_batch ON build_batches (agent_id, sequence);`,
  // The console: alert triage, incidents, the action log, operator-allowed domains and the
  // tools a baseline learnt. Alerts page newest first by rowid (their insertion order), so
  // each filter column gets a plain index: SQLite appends the rowid to every index.
  `ALTER TABLE alerts ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
   ALTER TABLE alerts ADD COLUMN status_us INTEGER;
   ALTER TABLE alerts ADD COLUMN incident_id TEXT;
   CREATE INDEX alerts_status ON alerts (status);
   CREATE INDEX alerts_severity ON alerts (severity);
   CREATE INDEX alerts_kind ON alerts (kind);
   CREATE INDEX alerts_pipeline ON alerts (pipeline);
   CREATE INDEX alerts_incident ON alerts (incident_id) WHERE incident_id IS NOT NULL;
   CREATE TABLE actions (
     id INTEGER PRIMARY KEY,
     at_us INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target_type TEXT NOT NULL,
     target_id TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX actions_target ON actions (target_type, target_id);
   CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     status TEXT NOT NULL,
     created_us INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     contained_us INTEGER,
     closed_us INTEGER
   );
   CREATE TABLE baseline_allowed (
     pipeline TEXT NOT NULL,
     domain TEXT NOT NULL,
     kind TEXT NOT NULL,
     allowed_us INTEGER NOT NULL,
     actor TEXT NOT NULL,
     reason TEXT NOT NULL,
     alert_id TEXT NOT NULL,
     build_id TEXT NOT NULL,
     taught_baseline INTEGER NOT NULL,
     PRIMARY KEY (pipeline, domain, kind)
   ) WITHOUT ROWID;
   CREATE INDEX baseline_allowed_alert ON baseline_allowed (alert_id);
   CREATE TABLE baseline_tools (
     pipeline TEXT NOT NULL,
     tool TEXT NOT NULL,
     first_seen_us INTEGER NOT NULL,
     build_id TEXT NOT NULL,
     PRIMARY KEY (pipeline, tool)
   ) WITHOUT ROWID;
   CREATE INDEX builds_ended ON builds (ended_us);
   ALTER TABLE builds ADD COLUMN agent_id TEXT;
   ALTER TABLE builds ADD COLUMN k8s_namespace TEXT;
   ALTER TABLE builds ADD COLUMN k8s_pod TEXT;
   ALTER TABLE builds ADD COLUMN k8s_container TEXT;
   CREATE TABLE drills (
     id TEXT PRIMARY KEY,
     at_us INTEGER NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX drills_at ON drills (at_us);`,
  // Versioned baselines. One table of entries (exact names, registrable domains, destinations,
  // build-script tools) replaces the domain and tool tables; each entry knows the version that
  // made it active (NULL while a running learning build teaches it, or while it waits for an
  // operator in supervised mode) and when a build last used it (expiry). Each version lists
  // what it added and removed, who made it and from which builds. Existing domains become
  // version 1, last used at their pipeline's newest build; the old tool list (bare names, no
  // script kind, informational only) is not carried over; their names and destinations are
  // filled in from the builds that taught the domains (Store.migrate). builds.teaches says which
  // builds teach their baseline (decided at their start); the guard's verdicts look DNS names up
  // by domain and name.
  `CREATE TABLE baseline_entries (
     pipeline TEXT NOT NULL,
     kind TEXT NOT NULL,
     value TEXT NOT NULL,
     state TEXT NOT NULL,
     version INTEGER,
     build_id TEXT NOT NULL,
     first_seen_us INTEGER NOT NULL,
     last_used_us INTEGER NOT NULL,
     PRIMARY KEY (pipeline, kind, value)
   ) WITHOUT ROWID;
   CREATE INDEX baseline_entries_build ON baseline_entries (build_id) WHERE version IS NULL;
   CREATE TABLE baseline_versions (
     pipeline TEXT NOT NULL,
     version INTEGER NOT NULL,
     created_us INTEGER NOT NULL,
     cause TEXT NOT NULL,
     actor TEXT NOT NULL,
     reason TEXT NOT NULL,
     builds TEXT NOT NULL,
     added TEXT NOT NULL,
     removed TEXT NOT NULL,
     PRIMARY KEY (pipeline, version)
   ) WITHOUT ROWID;
   INSERT INTO baseline_entries (pipeline, kind, value, state, version, build_id, first_seen_us, last_used_us)
     SELECT d.pipeline, 'domain', d.domain, 'active', 1, d.build_id, d.first_seen_us,
       max(d.first_seen_us, coalesce((SELECT max(started_us) FROM builds b WHERE b.pipeline = d.pipeline), 0)) FROM baseline_domains d;
   INSERT OR IGNORE INTO baselines (pipeline, learned_builds) SELECT DISTINCT pipeline, 0 FROM baseline_entries;
   ALTER TABLE baselines ADD COLUMN mode TEXT NOT NULL DEFAULT 'auto';
   ALTER TABLE baselines ADD COLUMN learning_builds INTEGER;
   ALTER TABLE baselines ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
   INSERT INTO baseline_versions (pipeline, version, created_us, cause, actor, reason, builds, added, removed)
     SELECT pipeline, 1, max(first_seen_us), 'migrated', 'telltale', 'the baseline before versions were kept',
       json_array(), json_group_array(json_object('kind', kind, 'value', value)), json_array()
     FROM baseline_entries GROUP BY pipeline;
   UPDATE baselines SET version = 1 WHERE pipeline IN (SELECT pipeline FROM baseline_entries);
   DROP TABLE baseline_domains;
   DROP TABLE baseline_tools;
   CREATE TABLE guard_verdicts (
     id INTEGER PRIMARY KEY,
     at_us INTEGER NOT NULL,
     guard TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     client TEXT NOT NULL,
     qname TEXT NOT NULL,
     qtype INTEGER NOT NULL,
     verdict TEXT NOT NULL,
     evidence TEXT NOT NULL,
     build_id TEXT,
     alert_id TEXT
   );
   CREATE INDEX guard_verdicts_pipeline ON guard_verdicts (pipeline, id);
   CREATE INDEX guard_verdicts_at ON guard_verdicts (at_us);
   ALTER TABLE builds ADD COLUMN teaches INTEGER NOT NULL DEFAULT 0;
   DROP INDEX dns_names_domain;
   CREATE INDEX dns_names_domain_qname ON dns_names (domain, qname);`,
  // 5: the lockfiles each build's agent reported (issue 8). Contents are kept once per hash;
  // each snapshot row records the pipeline's previous snapshot of the same path it was diffed
  // against, so the diff reads the same after a restart, and the diff's summary for the API.
  `CREATE TABLE lockfile_blobs (
     sha256 TEXT PRIMARY KEY,
     size INTEGER NOT NULL,
     content BLOB NOT NULL,
     first_seen_us INTEGER NOT NULL
   );
   CREATE TABLE build_lockfiles (
     id INTEGER PRIMARY KEY,
     build_id TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     path TEXT NOT NULL,
     kind TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     size INTEGER NOT NULL,
     time_us INTEGER NOT NULL,
     status TEXT NOT NULL,
     detail TEXT,
     format TEXT,
     packages INTEGER,
     previous_build_id TEXT,
     previous_sha256 TEXT,
     diff TEXT,
     UNIQUE (build_id, path, sha256)
   );
   CREATE INDEX build_lockfiles_pipeline ON build_lockfiles (pipeline, path, id);`,
  // 6: a snapshot's base is the pipeline's latest parsed snapshot of the path received before it
  // (by id: agents' clocks do not order builds). This partial index holds parsed rows only, so
  // the base is found at its end without walking back over rows never received, too large or
  // unparsable; it replaces the index over every row.
  // A snapshot also says whether the agent's scan of the workspace stopped at a bound.
  `CREATE INDEX build_lockfiles_parsed ON build_lockfiles (pipeline, path, id) WHERE status = 'parsed';
   DROP INDEX build_lockfiles_pipeline;
   ALTER TABLE build_lockfiles ADD COLUMN scan_incomplete INTEGER NOT NULL DEFAULT 0;`,
];
