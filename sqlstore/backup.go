package sqlstore

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"

	"github.com/parley-comments/parley"
)

// BackupSummary describes a verified SQLite backup file.
type BackupSummary struct {
	Path          string
	Bytes         int64
	SchemaVersion int
	Integrity     string         // "ok", or what PRAGMA integrity_check found
	Rows          map[string]int // per table
	Comments      map[string]int // per status
}

// summaryTables are the tables a backup summary counts.
var summaryTables = []string{"sites", "users", "stories", "comments", "revisions", "audit_log", "import_keys"}

// Backup writes a consistent snapshot of a SQLite database to path with
// VACUUM INTO, while other connections keep reading and writing, then
// verifies it (VerifyBackup). path must not exist. EINVALID on PostgreSQL
// (use pg_dump: docs/backup.md) or when path exists.
func (db *DB) Backup(ctx context.Context, path string) (BackupSummary, error) {
	if db.d.pg() {
		return BackupSummary{}, parley.Errorf(parley.EINVALID, "Backups of PostgreSQL are made with pg_dump; see docs/backup.md.")
	}
	if _, err := os.Stat(path); err == nil {
		return BackupSummary{}, parley.Errorf(parley.EINVALID, "%s already exists; choose a new file.", path)
	}
	if strings.ContainsRune(path, 0) {
		return BackupSummary{}, parley.Errorf(parley.EINVALID, "Bad backup path.")
	}
	// VACUUM INTO reads one snapshot of the database (a read transaction), so
	// writers carry on and the copy is consistent.
	if _, err := db.sqlDB.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return BackupSummary{}, parley.WrapError(parley.EINTERNAL, "The backup failed.", err)
	}
	sum, err := VerifyBackup(ctx, path)
	if err != nil {
		return sum, err
	}
	return sum, nil
}

// VerifyBackup opens a SQLite file read-only, runs PRAGMA integrity_check
// and counts its rows. It returns EINVALID when the file is not a Parley
// database or fails the check.
func VerifyBackup(ctx context.Context, path string) (BackupSummary, error) {
	sum := BackupSummary{Path: path, Rows: map[string]int{}, Comments: map[string]int{}}
	st, err := os.Stat(path)
	if err != nil {
		return sum, parley.WrapErrorf(parley.EINVALID, err, "Cannot read %s.", path)
	}
	sum.Bytes = st.Size()
	v := url.Values{}
	v.Set("mode", "ro")
	v.Add("_pragma", "query_only(1)")
	sdb, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return sum, parley.WrapErrorf(parley.EINVALID, err, "Cannot open %s.", path)
	}
	defer sdb.Close()
	if err := sdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&sum.Integrity); err != nil {
		return sum, parley.WrapErrorf(parley.EINVALID, err, "%s is not a SQLite database.", path)
	}
	if sum.Integrity != "ok" {
		return sum, parley.Errorf(parley.EINVALID, "%s failed the integrity check: %s", path, sum.Integrity)
	}
	if err := sdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&sum.SchemaVersion); err != nil {
		return sum, parley.WrapErrorf(parley.EINVALID, err, "%s is not a Parley database.", path)
	}
	for _, t := range summaryTables {
		var n int
		if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			if t == "import_keys" && sum.SchemaVersion < 3 {
				continue
			}
			return sum, parley.WrapErrorf(parley.EINVALID, err, "%s has no %s table.", path, t)
		}
		sum.Rows[t] = n
	}
	rows, err := sdb.QueryContext(ctx, `SELECT status, count(*) FROM comments GROUP BY status ORDER BY status`)
	if err != nil {
		return sum, parley.WrapError(parley.EINVALID, "Cannot count comments.", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return sum, parley.WrapError(parley.EINVALID, "Cannot count comments.", err)
		}
		sum.Comments[s] = n
	}
	return sum, rows.Err()
}

// LatestSchemaVersion is the schema version this binary's migrations reach.
func LatestSchemaVersion() (int, error) {
	ms, err := sqliteDialect.migrations()
	return len(ms), err
}
