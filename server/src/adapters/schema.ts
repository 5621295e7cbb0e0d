// The collector's SQLite schema, as ordered migrations applied in code at open.
// A migration, once shipped, is never edited: add the next one.
// processes is keyed by (build, pid): a fork row is replaced by the exec that follows it, and
// a pid reused within one build keeps only its latest process.

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
   CREATE TABLE processes (
     build_id TEXT NOT NULL,
     pid INTEGER NOT NULL,
     start_us INTEGER NOT NULL,
     ppid INTEGER NOT NULL,
     exe TEXT NOT NULL,
     argv TEXT NOT NULL,
     cwd TEXT NOT NULL,
     uid INTEGER NOT NULL,
     build_script TEXT,
     exit_code INTEGER,
     exited_us INTEGER,
     PRIMARY KEY (build_id, pid)
   ) WITHOUT ROWID;
   CREATE TABLE dns_queries (
     id INTEGER PRIMARY KEY,
     build_id TEXT NOT NULL,
     time_us INTEGER NOT NULL,
     pid INTEGER NOT NULL,
     qname TEXT NOT NULL,
     qtype TEXT NOT NULL,
     domain TEXT,
     partial INTEGER NOT NULL,
     server TEXT NOT NULL,
     port INTEGER NOT NULL,
     baseline_known INTEGER NOT NULL
   );
   CREATE INDEX dns_build ON dns_queries (build_id, time_us);
   CREATE TABLE connects (
     id INTEGER PRIMARY KEY,
     build_id TEXT NOT NULL,
     time_us INTEGER NOT NULL,
     pid INTEGER NOT NULL,
     family TEXT NOT NULL,
     protocol TEXT NOT NULL,
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     external INTEGER NOT NULL
   );
   CREATE INDEX connects_build ON connects (build_id, time_us);
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
   CREATE TABLE baselines (
     pipeline TEXT PRIMARY KEY,
     learned_builds INTEGER NOT NULL
   );`,
];
