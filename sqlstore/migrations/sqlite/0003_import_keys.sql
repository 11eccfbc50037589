-- Comments imported from other systems: (site, source, source ID) is unique,
-- so importing the same file twice changes nothing the second time.
CREATE TABLE import_keys (
    site_id        TEXT NOT NULL REFERENCES sites (id),
    source         TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    comment_id     TEXT NOT NULL REFERENCES comments (id),
    source_user_id TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (site_id, source, source_id)
);
CREATE INDEX import_keys_comment ON import_keys (comment_id);
