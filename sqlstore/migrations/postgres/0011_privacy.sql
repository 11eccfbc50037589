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

-- A webhook delivery that found an earlier one of its comment still
-- pending waits; the earlier one's completion queues it again.
ALTER TABLE webhook_deliveries ADD COLUMN waiting BOOLEAN NOT NULL DEFAULT FALSE;

-- Reader notification settings per site and email (token: the secret of
-- the one-click unsubscribe and settings links), muted threads (stories)
-- and queued digest items.
CREATE TABLE notify_readers (
    site_id      TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
    email        TEXT COLLATE "C" NOT NULL,
    token        TEXT COLLATE "C" NOT NULL UNIQUE,
    mode         TEXT NOT NULL,
    locale       TEXT NOT NULL DEFAULT '',
    confirmed_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, email)
);
CREATE TABLE notify_mutes (
    site_id    TEXT COLLATE "C" NOT NULL,
    email      TEXT COLLATE "C" NOT NULL,
    story_id   TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, email, story_id)
);
CREATE TABLE notify_digest (
    site_id    TEXT COLLATE "C" NOT NULL,
    email      TEXT COLLATE "C" NOT NULL,
    comment_id TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site_id, email, comment_id)
);
CREATE INDEX notify_digest_created ON notify_digest (created_at);
