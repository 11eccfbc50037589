package sqlstore

import (
	"context"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
)

// --- Data subject requests ---

// CreatePrivacyRequest stores a request. ECONFLICT if its ID or token exists.
func (c *conn) CreatePrivacyRequest(ctx context.Context, r *parley.PrivacyRequest) error {
	return c.insertNew(ctx, "Privacy request", `INSERT INTO privacy_requests (id, kind, site_id, email, token_hash, created_at, expires_at, used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, string(r.Kind), r.SiteID, r.Email, r.TokenHash, c.d.timeArg(r.CreatedAt),
		c.d.timeArg(r.ExpiresAt), c.d.nullTimeArg(r.UsedAt))
}

// GetPrivacyRequest finds a request by its token hash. ENOTFOUND if unknown.
func (c *conn) GetPrivacyRequest(ctx context.Context, tokenHash string) (*parley.PrivacyRequest, error) {
	var r parley.PrivacyRequest
	var kind string
	err := c.queryRow(ctx, `SELECT id, kind, site_id, email, token_hash, created_at, expires_at, used_at FROM privacy_requests WHERE token_hash = ?`,
		tokenHash).Scan(&r.ID, &kind, &r.SiteID, &r.Email, &r.TokenHash, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt}, timeCol{&r.UsedAt})
	if err != nil {
		return nil, translate(err, "Privacy request")
	}
	r.Kind = parley.PrivacyKind(kind)
	return &r, nil
}

// UsePrivacyRequest marks a request used. ECONFLICT if it already was,
// ENOTFOUND if it does not exist.
func (c *conn) UsePrivacyRequest(ctx context.Context, id string, at time.Time) error {
	res, err := c.exec(ctx, `UPDATE privacy_requests SET used_at = ? WHERE id = ? AND used_at IS NULL`, c.d.timeArg(at), id)
	if err := mustAffect(res, err, "Privacy request"); err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			var n int
			if e := c.queryRow(ctx, `SELECT COUNT(*) FROM privacy_requests WHERE id = ?`, id).Scan(&n); e == nil && n > 0 {
				return parley.Errorf(parley.ECONFLICT, "This link was already used.")
			}
		}
		return err
	}
	return nil
}

// subjectWhere selects a subject's comments.
func subjectWhere(siteID, email, userID string) (string, []any) {
	var or []string
	var args []any
	if email != "" {
		or = append(or, `LOWER(guest_email) = ?`)
		args = append(args, strings.ToLower(email))
	}
	if userID != "" {
		or = append(or, `author_user_id = ?`)
		args = append(args, userID)
	}
	if len(or) == 0 {
		or = append(or, `1 = 0`)
	}
	where := `(` + strings.Join(or, ` OR `) + `)`
	if siteID != "" {
		where += ` AND site_id = ?`
		args = append(args, siteID)
	}
	return where, args
}

// SubjectComments returns a page of a subject's comments in ID order.
func (c *conn) SubjectComments(ctx context.Context, siteID, email, userID, afterID string, limit int) ([]*parley.Comment, error) {
	where, args := subjectWhere(siteID, email, userID)
	args = append(args, afterID, clampLimit(limit, 100, 1000))
	return c.listComments(ctx, `SELECT `+commentCols+` FROM comments WHERE `+where+` AND id > ? ORDER BY id LIMIT ?`, args...)
}

// SubjectReports returns the reports made under the reporter keys.
func (c *conn) SubjectReports(ctx context.Context, reporterKeys []string) ([]*parley.Report, error) {
	if len(reporterKeys) == 0 {
		return nil, nil
	}
	rows, err := c.query(ctx, `SELECT id, site_id, comment_id, reporter_key, reason, note, created_at FROM reports
		WHERE reporter_key IN (`+placeholders(len(reporterKeys))+`) ORDER BY id`, anys(reporterKeys)...)
	if err != nil {
		return nil, translate(err, "Report")
	}
	defer rows.Close()
	var out []*parley.Report
	for rows.Next() {
		var r parley.Report
		var reason string
		if err := rows.Scan(&r.ID, &r.SiteID, &r.CommentID, &r.ReporterKey, &reason, &r.Note, timeCol{&r.CreatedAt}); err != nil {
			return nil, translate(err, "Report")
		}
		r.Reason = parley.Reason(reason)
		out = append(out, &r)
	}
	return out, translate(rows.Err(), "Report")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// suffixPattern matches strings ending in s with LIKE ... ESCAPE '\'.
func suffixPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// containsPattern matches strings containing s with LIKE ... ESCAPE '\'.
func containsPattern(s string) string { return suffixPattern(s) + "%" }

type subjectComment struct {
	id, siteID, parentID, status, tokenHash, ip, authorKey, name string
}

// Erase removes a subject's personal data in one transaction. On SQLite it
// then checkpoints the write-ahead log, so that (with secure_delete on) no
// copy of the erased bytes is left in the database files.
func (c *conn) Erase(ctx context.Context, e parley.Erasure) (parley.ErasureResult, error) {
	var res parley.ErasureResult
	err := c.InTx(ctx, func(tx parley.Store) error {
		var err error
		if res, err = tx.(*conn).erase(ctx, e); err != nil || e.Then == nil {
			return err
		}
		return e.Then(ctx, tx, res)
	})
	if err != nil {
		return parley.ErasureResult{}, err
	}
	if c.tx == nil && !c.d.pg() {
		if _, err := c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return res, translate(err, "Erasure")
		}
	}
	return res, nil
}

func (c *conn) erase(ctx context.Context, e parley.Erasure) (parley.ErasureResult, error) {
	var res parley.ErasureResult
	email := strings.ToLower(strings.TrimSpace(e.Email))
	where, args := subjectWhere(e.SiteID, email, e.UserID)
	rows, err := c.query(ctx, `SELECT id, site_id, parent_id, status, guest_token_hash, client_ip, author_key, author_name FROM comments WHERE `+where, args...)
	if err != nil {
		return res, translate(err, "Comment")
	}
	var mine []subjectComment
	for rows.Next() {
		var s subjectComment
		if err := rows.Scan(&s.id, &s.siteID, &s.parentID, &s.status, &s.tokenHash, &s.ip, &s.authorKey, &s.name); err != nil {
			rows.Close()
			return res, translate(err, "Comment")
		}
		mine = append(mine, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, translate(err, "Comment")
	}

	// Identifiers of the subject: author keys, guest tokens, addresses.
	keys := map[string]bool{}
	if email != "" {
		keys["e:"+email] = true
	}
	if e.UserID != "" {
		keys["u:"+e.UserID] = true
	}
	reporterKeys := map[string]bool{}
	names := map[string]bool{}
	if e.UserID != "" {
		var n string
		if err := c.queryRow(ctx, `SELECT name FROM users WHERE id = ?`, e.UserID).Scan(&n); err == nil {
			names[n] = true
		}
	}
	ips := map[string]bool{}
	ids := map[string]bool{}
	sites := map[string]bool{}
	for _, s := range mine {
		ids[s.id], sites[s.siteID] = true, true
		names[s.name] = true
		if s.authorKey != "" {
			keys[s.authorKey] = true
		}
		if s.tokenHash != "" {
			reporterKeys["g:"+s.tokenHash] = true
		}
		if s.ip != "" {
			ips[s.ip] = true
			if a, err := netip.ParseAddr(s.ip); err == nil {
				ips[clientip.RateKey(a)] = true
				reporterKeys["ip:"+clientip.RateKey(a)] = true
			}
		}
	}
	for k := range keys {
		reporterKeys[k] = true
	}

	// Which comments stay as "[deleted]": published ones if the site keeps
	// placeholders, and any that someone else replied to, or that a kept
	// comment replies to... transitively up the thread.
	keep := map[string]bool{}
	for _, s := range mine {
		if e.KeepPlaceholders && s.status == string(parley.StatusApproved) {
			keep[s.id] = true
		}
	}
	for _, s := range mine {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM comments WHERE parent_id = ? AND NOT (`+where+`)`, append([]any{s.id}, args...)...).Scan(&n); err != nil {
			return res, translate(err, "Comment")
		}
		if n > 0 {
			keep[s.id] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, s := range mine {
			if keep[s.id] && s.parentID != "" && ids[s.parentID] && !keep[s.parentID] {
				keep[s.parentID], changed = true, true
			}
		}
	}

	now := c.d.timeArg(e.At)
	for _, s := range mine {
		for _, q := range []string{
			`DELETE FROM reports WHERE comment_id = ?`,
			`DELETE FROM revisions WHERE comment_id = ?`,
			`DELETE FROM idempotency_keys WHERE comment_id = ?`,
			`DELETE FROM import_keys WHERE comment_id = ?`,
			`UPDATE audit_log SET note = '' WHERE comment_id = ?`,
		} {
			if _, err := c.exec(ctx, q, s.id); err != nil {
				return res, translate(err, "Erasure")
			}
		}
		if _, err := c.exec(ctx, `DELETE FROM webhook_deliveries WHERE order_key = ?`, "comment:"+s.id); err != nil {
			return res, translate(err, "Erasure")
		}
		if keep[s.id] {
			res.Placeholder++
			_, err = c.exec(ctx, `UPDATE comments SET body = ?, html = ?, edit_pending = ?, pending_body = '', pending_html = '',
				author_user_id = '', author_name = ?, guest_email = '', guest_token_hash = '', client_ip = '', author_key = ?,
				moderator_note = '', scores = 'null', evidence = 'null', suggested_reason = '', norm_hash = '', cluster_id = '',
				spam_signals = 'null', report_count = 0, resubmits = 0, queue_status = status, updated_at = ?, version = version + 1
				WHERE id = ?`, parley.ErasedText, "<p>"+parley.ErasedText+"</p>", false, parley.ErasedText, "erased:"+s.id, now, s.id)
		} else {
			res.Deleted++
			_, err = c.exec(ctx, `DELETE FROM comments WHERE id = ?`, s.id)
		}
		if err != nil {
			return res, translate(err, "Erasure")
		}
	}

	// Reports the subject made: withdrawn, and the counts follow.
	reps, err := c.SubjectReports(ctx, sortedKeys(reporterKeys))
	if err != nil {
		return res, err
	}
	for _, r := range reps {
		if _, err := c.exec(ctx, `UPDATE comments SET report_count = report_count - 1 WHERE id = ? AND report_count > 0`, r.CommentID); err != nil {
			return res, translate(err, "Erasure")
		}
		if _, err := c.exec(ctx, `DELETE FROM reports WHERE id = ?`, r.ID); err != nil {
			return res, translate(err, "Erasure")
		}
	}

	// Sanctions, idempotency keys and rate buckets keyed by the subject.
	for _, k := range sortedKeys(keys) {
		srows, err := c.query(ctx, `SELECT id FROM sanctions WHERE author_key = ?`, k)
		if err != nil {
			return res, translate(err, "Erasure")
		}
		var sids []string
		for srows.Next() {
			var id string
			if err := srows.Scan(&id); err != nil {
				srows.Close()
				return res, translate(err, "Erasure")
			}
			sids = append(sids, id)
		}
		srows.Close()
		for _, id := range sids {
			if _, err := c.exec(ctx, `DELETE FROM webhook_deliveries WHERE order_key = ?`, "sanction:"+id); err != nil {
				return res, translate(err, "Erasure")
			}
		}
		for _, q := range []struct {
			sql string
			arg any
		}{
			{`DELETE FROM sanctions WHERE author_key = ?`, k},
			{`DELETE FROM idempotency_keys WHERE scope LIKE ? ESCAPE '\'`, suffixPattern("|" + k)},
			{`DELETE FROM rate_buckets WHERE key LIKE ? ESCAPE '\'`, suffixPattern(":" + k)},
			{`UPDATE audit_log SET actor_id = 'erased', actor_name = '` + parley.ErasedText + `' WHERE actor_id = ?`, k},
			{`UPDATE audit_log SET note = '' WHERE note LIKE ? ESCAPE '\'`, containsPattern(k)},
		} {
			if _, err := c.exec(ctx, q.sql, q.arg); err != nil {
				return res, translate(err, "Erasure")
			}
		}
	}
	for _, ip := range sortedKeys(ips) {
		for _, q := range []struct {
			sql string
			arg any
		}{
			{`DELETE FROM rate_buckets WHERE key LIKE ? ESCAPE '\'`, suffixPattern(":" + ip)},
			{`UPDATE audit_log SET note = '' WHERE note LIKE ? ESCAPE '\'`, containsPattern(ip)},
			{`DELETE FROM webhook_deliveries WHERE body LIKE ? ESCAPE '\'`, containsPattern(`"` + ip + `"`)},
		} {
			if _, err := c.exec(ctx, q.sql, q.arg); err != nil {
				return res, translate(err, "Erasure")
			}
		}
	}
	// Mails: to the subject, and to others that quote or name them.
	mailMarks := []string{}
	if email != "" {
		mailMarks = append(mailMarks, email)
	}
	for _, s := range mine {
		mailMarks = append(mailMarks, s.id)
	}
	for _, n := range sortedKeys(names) {
		if len([]rune(strings.TrimSpace(n))) >= 3 && n != parley.ErasedText {
			mailMarks = append(mailMarks, n)
		}
	}
	for _, m := range mailMarks {
		if _, err := c.exec(ctx, `DELETE FROM outbox WHERE kind = 'email' AND (dedupe_key LIKE ? ESCAPE '\' OR payload LIKE ? ESCAPE '\')`,
			containsPattern(m), containsPattern(m)); err != nil {
			return res, translate(err, "Erasure")
		}
	}
	if email != "" {
		for _, q := range []string{
			`DELETE FROM auth_links WHERE email = ?`,
			`DELETE FROM privacy_requests WHERE email = ?`,
			`DELETE FROM notify_readers WHERE email = ?`,
			`DELETE FROM notify_mutes WHERE email = ?`,
			`DELETE FROM notify_digest WHERE email = ?`,
			`UPDATE audit_log SET note = '' WHERE LOWER(note) LIKE ? ESCAPE '\'`,
		} {
			arg := email
			if strings.Contains(q, "LIKE") {
				arg = containsPattern(email)
			}
			if _, err := c.exec(ctx, q, arg); err != nil {
				return res, translate(err, "Erasure")
			}
		}
	}

	// The subject's name in what staff and readers wrote about others'
	// comments: moderator notes, report notes, audit notes.
	for _, n := range sortedKeys(names) {
		if len([]rune(strings.TrimSpace(n))) < 3 || n == parley.ErasedText {
			continue // too short to find without mangling other words
		}
		for _, q := range []string{
			`UPDATE comments SET moderator_note = REPLACE(moderator_note, ?, '` + parley.ErasedText + `') WHERE moderator_note LIKE ? ESCAPE '\'`,
			`UPDATE reports SET note = REPLACE(note, ?, '` + parley.ErasedText + `') WHERE note LIKE ? ESCAPE '\'`,
			`UPDATE audit_log SET note = REPLACE(note, ?, '` + parley.ErasedText + `') WHERE note LIKE ? ESCAPE '\'`,
			`UPDATE webhook_deliveries SET body = REPLACE(body, ?, '` + parley.ErasedText + `') WHERE body LIKE ? ESCAPE '\'`,
		} {
			if _, err := c.exec(ctx, q, n, containsPattern(n)); err != nil {
				return res, translate(err, "Erasure")
			}
		}
	}

	if e.UserID != "" && e.SiteID != "" {
		// The look-alike guard for the account's name on this site.
		if _, err := c.exec(ctx, `DELETE FROM protected_names WHERE user_id = ? AND site_id = ?`, e.UserID, e.SiteID); err != nil {
			return res, translate(err, "Erasure")
		}
	}
	if e.DeleteAccount && e.UserID != "" {
		for _, q := range []string{
			`UPDATE audit_log SET actor_id = 'erased', actor_name = '` + parley.ErasedText + `' WHERE actor_id = ?`,
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM tokens WHERE user_id = ?`,
			`DELETE FROM memberships WHERE user_id = ?`,
			`DELETE FROM story_authors WHERE user_id = ?`,
			`DELETE FROM protected_names WHERE user_id = ?`,
			`DELETE FROM identities WHERE user_id = ?`,
			`DELETE FROM provider_roles WHERE user_id = ?`,
			`DELETE FROM auth_links WHERE user_id = ?`,
			`DELETE FROM login_flows WHERE link_user_id = ?`,
			`DELETE FROM provider_roles WHERE user_id = ?`,
		} {
			if _, err := c.exec(ctx, q, e.UserID); err != nil {
				return res, translate(err, "Erasure")
			}
		}
		r, err := c.exec(ctx, `DELETE FROM users WHERE id = ?`, e.UserID)
		if err != nil {
			return res, translate(err, "Erasure")
		}
		n, _ := r.RowsAffected()
		res.Account = n > 0
	}
	res.Sites = sortedKeys(sites)
	return res, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DropOldAddresses forgets client addresses older than before: on
// comments (and the address-based author key of guests without an email)
// and on reports, and deletes finished webhook deliveries older than that
// (their bodies may hold addresses). It returns how many rows changed.
func (c *conn) DropOldAddresses(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for _, q := range []string{
		`UPDATE comments SET client_ip = '' WHERE created_at < ? AND client_ip <> ''`,
		`UPDATE comments SET author_key = 'anon:' || id WHERE created_at < ? AND author_key LIKE 'ip:%'`,
		`UPDATE reports SET reporter_key = 'anon:' || id WHERE created_at < ? AND reporter_key LIKE 'ip:%'`,
		// Finished webhook deliveries: their bodies (for moderator-facing
		// hooks) hold addresses; the log keeps the retention period.
		`DELETE FROM webhook_deliveries WHERE created_at < ? AND status <> 'pending'`,
	} {
		r, err := c.exec(ctx, q, c.d.timeArg(before))
		if err != nil {
			return total, translate(err, "Retention")
		}
		n, err := r.RowsAffected()
		if err != nil {
			return total, translate(err, "Retention")
		}
		total += int(n)
	}
	return total, nil
}
