-- Dashboard imports: the uploaded file waits under the data directory while
-- a worker imports it; a job whose worker stopped (a restart) is claimed
-- again when its lease runs out, and resumes (docs/migrate.md).
CREATE TABLE import_jobs (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id),
    format      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    file_path   TEXT NOT NULL,
    node        TEXT NOT NULL DEFAULT '',
    strict      BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    state       TEXT NOT NULL,
    progress    TEXT NOT NULL DEFAULT '',
    report      TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    claimed_by  TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX import_jobs_site ON import_jobs (site_id, created_at);
CREATE INDEX import_jobs_open ON import_jobs (created_at, id) WHERE state IN ('queued', 'running');
