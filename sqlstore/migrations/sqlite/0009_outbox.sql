-- The outbox: email and webhook messages written in the same transaction as
-- the event that causes them, and sent afterwards by a worker (docs/email.md).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    claimed_by      TEXT NOT NULL DEFAULT '',
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
-- Workers claim due pending messages of one kind.
CREATE INDEX outbox_due ON outbox (kind, next_attempt_at, id) WHERE status = 'pending';
-- Admins list a site's messages by status; the purge finds old sent ones.
CREATE INDEX outbox_site_status ON outbox (site_id, status, id);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
