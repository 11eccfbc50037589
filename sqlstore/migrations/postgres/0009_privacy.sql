-- Data subject requests (export, erasure) confirmed by a mailed link.
CREATE TABLE privacy_requests (
    id         TEXT COLLATE "C" PRIMARY KEY,
    kind       TEXT NOT NULL,
    site_id    TEXT COLLATE "C" NOT NULL,
    email      TEXT COLLATE "C" NOT NULL,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX privacy_requests_email ON privacy_requests (email);
