package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// colKind is how Copy reads, writes and checksums one column.
type colKind int

const (
	kText colKind = iota
	kInt
	kReal
	kBool
	kTime     // NOT NULL time
	kNullTime // time, NULL when unset
	kBytes    // a blob (chunks of uploads, up to 1 MiB each)
)

type column struct {
	name string
	kind colKind
}

// copyTable describes one table for Copy. Tables are listed parents first
// so that foreign keys hold while rows arrive.
type copyTable struct {
	name string
	pk   []string
	cols []column
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, k, _ := strings.Cut(f, ":")
		kind := kText
		switch k {
		case "i":
			kind = kInt
		case "r":
			kind = kReal
		case "b":
			kind = kBool
		case "t":
			kind = kTime
		case "nt":
			kind = kNullTime
		case "y":
			kind = kBytes
		}
		out = append(out, column{name, kind})
	}
	return out
}

// copyTables must list every table and column of the schema (a test checks
// it against the migrated database).
var copyTables = []copyTable{
	{"sites", []string{"id"}, cols("id name origins settings created_at:t")},
	{"users", []string{"id"}, cols("id email email_lower name password_hash created_at:t email_verified_at:nt")},
	{"memberships", []string{"site_id", "user_id"}, cols("site_id user_id role")},
	{"tokens", []string{"id"}, cols("id user_id secret_hash created_at:t last_used_at:nt")},
	{"sessions", []string{"id_hash"}, cols("id_hash user_id csrf_token created_at:t expires_at:t method site_id user_agent")},
	{"stories", []string{"id"}, cols("id site_id url title closed:b mode created_at:t locked:b locale")},
	{"story_authors", []string{"story_id", "user_id"}, cols("story_id user_id position:i")},
	{"comments", []string{"id"}, cols(`id site_id story_id parent_id status queue_status body html edit_pending:b
		pending_body pending_html author_user_id author_name guest_email guest_token_hash client_ip author_key
		reason moderator_note moderated_by moderated_at:nt language scores evidence suggested_reason risk:r
		norm_hash resubmits:i last_resubmit_at:nt cluster_id spam_signals compose_ms:i
		created_at:t updated_at:t edited_at:nt version:i report_count:i`)},
	{"revisions", []string{"id"}, cols("id comment_id body html created_at:t")},
	{"idempotency_keys", []string{"scope", "key"}, cols("scope key comment_id created_at:t")},
	{"audit_log", []string{"id"}, cols("id site_id comment_id actor_id actor_name action from_status to_status reason note scores created_at:t")},
	{"sanctions", []string{"id"}, cols("id site_id author_key kind reason until:nt created_by created_at:t")},
	{"rate_buckets", []string{"key"}, cols("key tokens:r updated_at:t")},
	{"reports", []string{"id"}, cols("id site_id comment_id reporter_key reason note created_at:t resolution resolved_by resolved_at:nt")},
	{"site_adapters", []string{"site_id"}, cols("site_id state updated_at:t")},
	{"import_keys", []string{"site_id", "source", "source_id"}, cols("site_id source source_id comment_id source_user_id created_at:t")},
	{"webhooks", []string{"id"}, cols("id site_id url description events moderator_facing:b active:b secret created_at:t updated_at:t")},
	{"webhook_deliveries", []string{"id"}, cols(`id site_id webhook_id event order_key seq:i body status attempts:i status_code:i
		last_error duration_ms:i created_at:t last_attempt_at:nt delivered_at:nt waiting:b`)},
	{"protected_names", []string{"site_id", "skeleton", "user_id"}, cols("site_id skeleton user_id")},
	{"privacy_requests", []string{"id"}, cols("id kind site_id email token_hash created_at:t expires_at:t used_at:nt")},
	{"notify_readers", []string{"site_id", "email"}, cols("site_id email token mode locale confirmed_at:nt created_at:t updated_at:t")},
	{"notify_mutes", []string{"site_id", "email", "story_id"}, cols("site_id email story_id created_at:t")},
	{"site_auth", []string{"site_id"}, cols("site_id config updated_at:t")},
	{"identities", []string{"id"}, cols("id user_id issuer subject email name created_at:t last_login_at:t")},
	{"sso_token_ids", []string{"site_id", "jti"}, cols("site_id jti expires_at:t")},
	{"login_flows", []string{"state_hash"}, cols("state_hash site_id verifier nonce return_to link_user_id expires_at:t")},
	{"provider_roles", []string{"site_id", "user_id"}, cols("site_id user_id role")},
	{"auth_links", []string{"id"}, cols("id token_hash purpose site_id email user_id role invited_by return_to name created_at:t expires_at:t")},
	{"outbox", []string{"id"}, cols(`id site_id kind dedupe_key payload status attempts:i next_attempt_at:t last_error claimed_by
		lease_until:nt created_at:t updated_at:t sent_at:nt`)},
	{"notify_digest", []string{"site_id", "email", "comment_id"}, cols("site_id email comment_id created_at:t")},
	{"import_jobs", []string{"id"}, cols(`id site_id format file_name upload_size:i strict:b actor_id actor_name state progress report error
		attempts:i claimed_by lease_until:nt created_at:t updated_at:t finished_at:nt`)},
	{"import_uploads", []string{"job_id", "seq"}, cols("job_id seq:i data:y")},
}

// batch is how many rows of t Copy reads at a time: a few of a table of
// blobs (megabytes each), copyBatch of others.
func (t copyTable) batch() int {
	for _, c := range t.cols {
		if c.kind == kBytes {
			return 8
		}
	}
	return copyBatch
}

// CopyReport is the result of Copy: one entry per table.
type CopyReport struct {
	Tables []TableReport
}

// TableReport compares one table after a Copy. The checksum is the hex
// SHA-256 of every row in primary-key order, each value in a canonical,
// backend-independent encoding.
type TableReport struct {
	Name                     string
	SrcRows, DstRows         int
	SrcChecksum, DstChecksum string
}

// OK reports whether the table's counts and checksums match.
func (r TableReport) OK() bool {
	return r.SrcRows == r.DstRows && r.SrcChecksum == r.DstChecksum
}

const copyBatch = 500

// Copy copies every row of every table from src to dst, then verifies
// per-table row counts and checksums and returns them. dst is migrated
// first; src must be at the latest schema version. Rows are read in
// primary-key order in batches of 500 and written with an upsert, one
// transaction per batch, so Copy is safe to run again: rows already in dst
// are overwritten with src's values. Writers must be stopped while Copy
// runs, or the verification will (rightly) fail. log, if not nil, receives
// progress lines. Copy returns ECONFLICT, with the report, when
// verification fails.
func Copy(ctx context.Context, src, dst *DB, log func(msg string)) (CopyReport, error) {
	if log == nil {
		log = func(string) {}
	}
	cur, latest, err := src.SchemaVersion(ctx)
	if err != nil {
		return CopyReport{}, err
	}
	if cur != latest {
		return CopyReport{}, parley.Errorf(parley.EUNAVAILABLE, "The source database is at schema version %d, not %d; migrate it first.", cur, latest)
	}
	if err := dst.Migrate(ctx); err != nil {
		return CopyReport{}, err
	}
	for _, t := range copyTables {
		n, err := copyTableRows(ctx, src, dst, t)
		if err != nil {
			return CopyReport{}, parley.WrapError(parley.EINTERNAL, "Copying table "+t.name+" failed.", err)
		}
		log(fmt.Sprintf("copied %s: %d rows", t.name, n))
	}
	var rep CopyReport
	var bad []string
	for _, t := range copyTables {
		tr := TableReport{Name: t.name}
		if tr.SrcRows, tr.SrcChecksum, err = tableChecksum(ctx, src, t); err != nil {
			return rep, parley.WrapError(parley.EINTERNAL, "Checksumming "+t.name+" failed.", err)
		}
		if tr.DstRows, tr.DstChecksum, err = tableChecksum(ctx, dst, t); err != nil {
			return rep, parley.WrapError(parley.EINTERNAL, "Checksumming "+t.name+" failed.", err)
		}
		rep.Tables = append(rep.Tables, tr)
		status := "ok"
		if !tr.OK() {
			status = "MISMATCH"
			bad = append(bad, t.name)
		}
		log(fmt.Sprintf("verified %s: %d/%d rows, sha256 %s/%s %s", t.name, tr.SrcRows, tr.DstRows,
			short(tr.SrcChecksum), short(tr.DstChecksum), status))
	}
	if len(bad) > 0 {
		return rep, parley.Errorf(parley.ECONFLICT, "Verification failed for: %s.", strings.Join(bad, ", "))
	}
	return rep, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// scanRows reads a table in primary-key order in batches, calling fn with
// each batch of canonical values (string, int64, float64, bool, time.Time
// with the zero time for NULL).
func scanRows(ctx context.Context, db *DB, t copyTable, fn func(rows [][]any) error) error {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	pkIdx := make([]int, len(t.pk))
	for i, p := range t.pk {
		for j, c := range t.cols {
			if c.name == p {
				pkIdx[i] = j
			}
		}
	}
	order := strings.Join(t.pk, ", ")
	var after []any
	for {
		q := `SELECT ` + strings.Join(names, ", ") + ` FROM ` + t.name
		if after != nil {
			q += ` WHERE (` + order + `) > (` + strings.TrimSuffix(strings.Repeat("?, ", len(t.pk)), ", ") + `)`
		}
		q += ` ORDER BY ` + order + ` LIMIT ` + strconv.Itoa(t.batch())
		rows, err := db.sqlDB.QueryContext(ctx, db.d.rebind(q), after...)
		if err != nil {
			return err
		}
		var batch [][]any
		for rows.Next() {
			vals, dest := scanDest(t.cols)
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, vals())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		if len(batch) < t.batch() {
			return nil
		}
		last := batch[len(batch)-1]
		after = make([]any, len(pkIdx))
		for i, j := range pkIdx {
			after[i] = last[j]
		}
	}
}

// scanDest returns Scan destinations for cols and a function that returns
// the scanned canonical values.
func scanDest(cs []column) (func() []any, []any) {
	dest := make([]any, len(cs))
	strs := make([]string, len(cs))
	ints := make([]int64, len(cs))
	reals := make([]float64, len(cs))
	bools := make([]bool, len(cs))
	times := make([]time.Time, len(cs))
	blobs := make([][]byte, len(cs))
	for i, c := range cs {
		switch c.kind {
		case kText:
			dest[i] = &strs[i]
		case kInt:
			dest[i] = &ints[i]
		case kReal:
			dest[i] = &reals[i]
		case kBool:
			dest[i] = &bools[i]
		case kTime, kNullTime:
			dest[i] = timeCol{&times[i]}
		case kBytes:
			dest[i] = &blobs[i]
		}
	}
	return func() []any {
		vals := make([]any, len(cs))
		for i, c := range cs {
			switch c.kind {
			case kText:
				vals[i] = strs[i]
			case kInt:
				vals[i] = ints[i]
			case kReal:
				vals[i] = reals[i]
			case kBool:
				vals[i] = bools[i]
			case kTime, kNullTime:
				vals[i] = times[i]
			case kBytes:
				vals[i] = blobs[i]
			}
		}
		return vals
	}, dest
}

// copyTableRows upserts every row of t from src into dst.
func copyTableRows(ctx context.Context, src, dst *DB, t copyTable) (int, error) {
	names := make([]string, len(t.cols))
	var sets []string
	for i, c := range t.cols {
		names[i] = c.name
		isPK := false
		for _, p := range t.pk {
			isPK = isPK || p == c.name
		}
		if !isPK {
			sets = append(sets, c.name+" = excluded."+c.name)
		}
	}
	rowPH := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	// Stay well under SQLite's and PostgreSQL's bound-parameter limits.
	perStmt := max(1, min(t.batch(), 30000/len(t.cols)))
	total := 0
	err := scanRows(ctx, src, t, func(rows [][]any) error {
		tx, err := dst.sqlDB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for start := 0; start < len(rows); start += perStmt {
			chunk := rows[start:min(len(rows), start+perStmt)]
			phs := make([]string, len(chunk))
			args := make([]any, 0, len(chunk)*len(t.cols))
			for i, r := range chunk {
				phs[i] = rowPH
				for j, c := range t.cols {
					args = append(args, dst.d.encode(c.kind, r[j]))
				}
			}
			onConflict := ` DO UPDATE SET ` + strings.Join(sets, ", ")
			if len(sets) == 0 { // every column is in the key
				onConflict = ` DO NOTHING`
			}
			q := `INSERT INTO ` + t.name + ` (` + strings.Join(names, ", ") + `) VALUES ` + strings.Join(phs, ", ") +
				` ON CONFLICT (` + strings.Join(t.pk, ", ") + `)` + onConflict
			if _, err := tx.ExecContext(ctx, dst.d.rebind(q), args...); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		total += len(rows)
		return nil
	})
	return total, err
}

// encode turns a canonical value into an argument for this dialect.
func (d *dialect) encode(k colKind, v any) any {
	switch k {
	case kTime:
		return d.timeArg(v.(time.Time))
	case kNullTime:
		return d.nullTimeArg(v.(time.Time))
	}
	return v
}

// tableChecksum counts t's rows and hashes them in primary-key order.
func tableChecksum(ctx context.Context, db *DB, t copyTable) (int, string, error) {
	h := sha256.New()
	n := 0
	err := scanRows(ctx, db, t, func(rows [][]any) error {
		for _, r := range rows {
			writeCanonical(h, t.cols, r)
		}
		n += len(rows)
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// writeCanonical writes one row unambiguously: each value is tagged with its
// kind, strings are length-prefixed, times are unix microseconds.
func writeCanonical(h hash.Hash, cs []column, r []any) {
	var b []byte
	for i, c := range cs {
		switch c.kind {
		case kText:
			s := r[i].(string)
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		case kInt:
			b = append(b, 'i')
			b = strconv.AppendInt(b, r[i].(int64), 10)
		case kReal:
			b = append(b, 'f')
			b = strconv.AppendFloat(b, r[i].(float64), 'g', -1, 64)
		case kBool:
			if r[i].(bool) {
				b = append(b, 'T')
			} else {
				b = append(b, 'F')
			}
		case kBytes:
			v := r[i].([]byte)
			b = append(b, 'y')
			b = strconv.AppendInt(b, int64(len(v)), 10)
			b = append(b, ':')
			b = append(b, v...)
		case kTime, kNullTime:
			t := r[i].(time.Time)
			if t.IsZero() {
				b = append(b, 'N')
			} else {
				b = append(b, 't')
				b = strconv.AppendInt(b, t.UnixMicro(), 10)
			}
		}
		b = append(b, 0x1f)
	}
	b = append(b, 0x1e)
	h.Write(b)
}
