package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parley-comments/parley"
)

// UpdateRateBucket reads, changes (through fn) and writes one rate bucket
// in one transaction (see parley.RateBucketStore). The row is read with
// SELECT ... FOR UPDATE on PostgreSQL, so that instances sharing the
// database take turns; SQLite transactions hold the write lock. A bucket
// that another instance creates between the read and the insert is read
// again, locked.
func (c *conn) UpdateRateBucket(ctx context.Context, key string, fn func(b *parley.RateBucket) error) error {
	return c.InTx(ctx, func(tx parley.Store) error {
		t := tx.(*conn)
		for attempt := 0; attempt < 3; attempt++ {
			b := &parley.RateBucket{Key: key}
			err := t.queryRow(ctx, `SELECT tokens, updated_at FROM rate_buckets WHERE key = ?`+t.d.forUpdate(), key).
				Scan(&b.Tokens, timeCol{&b.UpdatedAt})
			switch {
			case errors.Is(err, sql.ErrNoRows):
				b.New = true
			case err != nil:
				return translate(err, "Rate bucket")
			}
			if err := fn(b); err != nil {
				return err
			}
			if !b.New {
				_, err := t.exec(ctx, `UPDATE rate_buckets SET tokens = ?, updated_at = ? WHERE key = ?`, b.Tokens, t.d.timeArg(b.UpdatedAt), key)
				return translate(err, "Rate bucket")
			}
			res, err := t.exec(ctx, `INSERT INTO rate_buckets (key, tokens, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				key, b.Tokens, t.d.timeArg(b.UpdatedAt))
			if err != nil {
				return translate(err, "Rate bucket")
			}
			if n, err := res.RowsAffected(); err != nil || n == 1 {
				return translate(err, "Rate bucket")
			}
		}
		return parley.Errorf(parley.EUNAVAILABLE, "The rate limit could not be updated; try again.")
	})
}
