-- Moderators review reader reports: each report is resolved (dismissed,
-- upheld, abusive) instead of lingering; open reports count.
ALTER TABLE reports ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN resolved_at TIMESTAMPTZ;
CREATE INDEX reports_open_by_reporter ON reports (site_id, reporter_key, id) WHERE resolution = '';
