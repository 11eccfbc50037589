-- Dashboard uploads are kept in the database, in chunks of up to 1 MiB, so
-- that a worker of any instance can run the job; they are deleted when the
-- job ends (docs/migrate.md). A job is 'uploading' until its last chunk is
-- stored, and only then queued.
ALTER TABLE import_jobs ADD COLUMN upload_size INTEGER NOT NULL DEFAULT 0;
-- Jobs waiting at the upgrade have their file on one instance's disk, which
-- this version no longer reads: they end, and ask for a new upload.
UPDATE import_jobs SET state = 'failed', claimed_by = '', lease_until = NULL, finished_at = updated_at,
    error = 'Parley was upgraded while this import waited; upload the file again (nothing is imported twice).'
    WHERE state IN ('queued', 'running');
ALTER TABLE import_jobs DROP COLUMN file_path;
ALTER TABLE import_jobs DROP COLUMN node;
CREATE TABLE import_uploads (
    job_id TEXT NOT NULL REFERENCES import_jobs (id),
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- The moderation queue's two orders are only ever read for pending comments
-- (queue_status = 'pending'; other statuses are listed through
-- comments_site_status): the indexes keep only those. An approved comment,
-- most of what a post or an import writes, no longer enters two indexes,
-- one of them in random order (risk).
DROP INDEX comments_queue_risk;
DROP INDEX comments_queue_id;
CREATE INDEX comments_queue_risk ON comments (site_id, risk DESC, id) WHERE queue_status = 'pending';
CREATE INDEX comments_queue_id ON comments (site_id, id) WHERE queue_status = 'pending';
