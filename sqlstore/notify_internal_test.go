package sqlstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// TestPutNotifyReaderReturnsTheStoredRow: what PutNotifyReader returns is
// what GetNotifyReader reads back, both when it inserted the row (it then
// does not read it) and when the row existed (the existing one, unchanged),
// on both databases.
func TestPutNotifyReaderReturnsTheStoredRow(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *DB{
		"sqlite":   func(t *testing.T) *DB { db, _ := testSQLite(t); return db },
		"postgres": testPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := open(t)
			ctx := context.Background()
			if err := db.CreateSite(ctx, &parley.Site{ID: "s", Name: "S", CreatedAt: time.Now().UTC()}); err != nil {
				t.Fatal(err)
			}
			// A time with nanoseconds, in another zone: stored to the microsecond, in UTC.
			at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
			for _, confirmed := range []time.Time{{}, at.Add(time.Second)} {
				email := "r" + confirmed.Format("150405") + "@example.org"
				r := &parley.NotifyReader{SiteID: "s", Email: email, Token: "pn_" + email, Mode: parley.NotifyImmediate,
					Locale: "tr", ConfirmedAt: confirmed, CreatedAt: at, UpdatedAt: at}
				got, err := db.PutNotifyReader(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.GetNotifyReader(ctx, "s", email)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("inserted: returned %+v, stored %+v", got, want)
				}
				again := *r
				again.Token, again.Mode, again.CreatedAt = "pn_other", parley.NotifyOff, at.Add(time.Hour)
				got, err = db.PutNotifyReader(ctx, &again)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("existing: returned %+v, stored %+v", got, want)
				}
			}
		})
	}
}
