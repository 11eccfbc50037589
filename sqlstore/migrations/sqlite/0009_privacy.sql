-- Data subject requests (export, erasure) confirmed by a mailed link.
CREATE TABLE privacy_requests (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    site_id    TEXT NOT NULL,
    email      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX privacy_requests_email ON privacy_requests (email);
