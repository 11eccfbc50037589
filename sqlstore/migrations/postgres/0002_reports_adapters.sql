-- Reader reports of published comments, and per-site classifier adapters.
ALTER TABLE comments ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_reported ON comments (site_id, report_count, id) WHERE report_count > 0;
-- Author history in the moderation queue looks comments up by author.
CREATE INDEX comments_author_status ON comments (site_id, author_key, status);

CREATE TABLE reports (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES sites (id),
    comment_id   TEXT NOT NULL REFERENCES comments (id),
    reporter_key TEXT NOT NULL,
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (comment_id, reporter_key)
);

-- state is the adapter's binary state, base64-encoded.
CREATE TABLE site_adapters (
    site_id    TEXT PRIMARY KEY REFERENCES sites (id),
    state      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
