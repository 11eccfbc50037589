package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// seedInstallation fills db with a site of n comments and at least one row
// in every table.
func seedInstallation(t *testing.T, db *sqlstore.DB, n int) (site *parley.Site, first *parley.Comment) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2025, 1, 2, 3, 4, 5, 678901000, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Millisecond) }
	site = &parley.Site{ID: parley.NewID(at(0)), Name: "Daily", Origins: []string{"https://d.example"},
		Settings: parley.Settings{Mode: parley.ModePost, BlockedDomains: []string{"x.example"}}, CreatedAt: at(0)}
	user := &parley.User{ID: parley.NewID(at(1)), Email: "Mod@D.example", Name: "Mod", PasswordHash: "h", CreatedAt: at(1)}
	var stories []*parley.Story
	err := db.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, user); err != nil {
			return err
		}
		if err := tx.SetRole(ctx, parley.Membership{SiteID: site.ID, UserID: user.ID, Role: parley.RoleModerator}); err != nil {
			return err
		}
		if err := tx.CreateToken(ctx, &parley.Token{ID: parley.NewID(at(2)), UserID: user.ID, SecretHash: "sh", CreatedAt: at(2), LastUsedAt: at(3)}); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, &parley.Session{IDHash: "ih", UserID: user.ID, CSRFToken: "c", Method: parley.LoginOIDC, SiteID: site.ID,
			UserAgent: "Браузер/1.0", CreatedAt: at(4), ExpiresAt: at(5)}); err != nil {
			return err
		}
		if err := seedIdentity(ctx, tx, site.ID, user.ID, at); err != nil {
			return err
		}
		for i := 0; i < 20; i++ {
			s := &parley.Story{ID: parley.NewID(at(10 + i)), SiteID: site.ID, URL: fmt.Sprintf("https://d.example/%d", i),
				Title: "Ünïcode title " + fmt.Sprint(i), Closed: i%5 == 0, AuthorIDs: []string{user.ID}, CreatedAt: at(10 + i)}
			if err := tx.CreateStory(ctx, s); err != nil {
				return err
			}
			stories = append(stories, s)
		}
		if err := tx.CreateSanction(ctx, &parley.Sanction{ID: parley.NewID(at(40)), SiteID: site.ID, AuthorKey: "e:x", Kind: parley.SanctionBan, CreatedAt: at(40)}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(at(41)), SiteID: site.ID, Action: "approve",
			Scores: map[parley.Label]float64{parley.LabelSpam: 0.3}, CreatedAt: at(41)}); err != nil {
			return err
		}
		if err := tx.PutIdempotencyKey(ctx, site.ID+"|e:x", "k1", "c1", at(42)); err != nil {
			return err
		}
		if err := tx.PutSiteAdapter(ctx, site.ID, []byte{'P', 'A', 'D', '1', 0, 255}, at(44)); err != nil {
			return err
		}
		if err := seedWebhook(ctx, tx, site.ID, at); err != nil {
			return err
		}
		if err := tx.CreatePrivacyRequest(ctx, &parley.PrivacyRequest{ID: parley.NewID(at(48)), Kind: parley.PrivacyExport, SiteID: site.ID,
			Email: "r@d.example", TokenHash: "abc", CreatedAt: at(48), ExpiresAt: at(49)}); err != nil {
			return err
		}
		if _, err := tx.PutNotifyReader(ctx, &parley.NotifyReader{SiteID: site.ID, Email: "r@d.example", Token: "tok", Mode: parley.NotifyDigest,
			Locale: "hy", ConfirmedAt: at(50), CreatedAt: at(50), UpdatedAt: at(50)}); err != nil {
			return err
		}
		if err := tx.MuteThread(ctx, site.ID, "r@d.example", stories[0].ID, at(51)); err != nil {
			return err
		}
		if err := tx.AddDigestItem(ctx, site.ID, "r@d.example", "c1", at(52)); err != nil {
			return err
		}
		if err := tx.ProtectName(ctx, site.ID, "mod", user.ID); err != nil {
			return err
		}
		return tx.UpdateRateBucket(ctx, "post:ip:192.0.2.1", func(b *parley.RateBucket) error {
			b.Tokens, b.UpdatedAt = 4, at(43)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	statuses := []parley.Status{parley.StatusPending, parley.StatusApproved, parley.StatusRejected, parley.StatusSpam}
	const batch = 1000
	for start := 0; start < n; start += batch {
		err := db.InTx(ctx, func(tx parley.Store) error {
			for i := start; i < min(n, start+batch); i++ {
				c := &parley.Comment{
					ID: parley.NewID(at(100 + i)), SiteID: site.ID, StoryID: stories[i%len(stories)].ID, Status: statuses[i%4],
					Body: fmt.Sprintf("Comment %d — Բարև", i), HTML: fmt.Sprintf("<p>Comment %d — Բարև</p>", i),
					AuthorName: "Guest", AuthorKey: fmt.Sprintf("e:g%d@example.org", i%97), GuestTokenHash: fmt.Sprintf("gt%d", i%97),
					Language: "hy", Risk: float64(i%1000) / 999, Scores: map[parley.Label]float64{parley.LabelToxic: float64(i%1000) / 999},
					SpamSignals: []parley.SpamSignal{{Kind: "links", Detail: "1"}}, NormHash: fmt.Sprintf("h%d", i%500),
					EditPending: i%50 == 1, CreatedAt: at(100 + i), UpdatedAt: at(100 + i),
				}
				if i%3 == 0 {
					c.ModeratedAt, c.ModeratedBy = at(200+i), user.ID
				}
				create := func() error { return tx.CreateComment(ctx, c) }
				if i == 1 { // one imported comment, so import_keys has a row
					create = func() error {
						return tx.ImportComments(ctx, []parley.ImportedComment{{Comment: c, Source: "disqus", SourceID: "d1", SourceUserID: "u1"}})
					}
				}
				if err := create(); err != nil {
					return err
				}
				if i == 0 {
					first = c
				}
				if i%250 == 0 {
					c.ReportCount = 1
					if err := tx.UpdateComment(ctx, c); err != nil {
						return err
					}
					if err := tx.CreateReport(ctx, &parley.Report{ID: parley.NewID(at(100 + i)), SiteID: site.ID, CommentID: c.ID,
						ReporterKey: "ip:198.51.100.7", Reason: parley.ReasonSpam, Note: "Ünïcode", CreatedAt: at(100 + i)}); err != nil {
						return err
					}
				}
				if i%100 == 0 {
					if err := tx.AddRevision(ctx, &parley.Revision{ID: parley.NewID(at(100 + i)), CommentID: c.ID, Body: c.Body, HTML: c.HTML, CreatedAt: at(100 + i)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// An import key, as service.Import writes them with ImportComments.
	q, created := `INSERT INTO import_keys (site_id, source, source_id, comment_id, source_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`, any(at(50).UnixMicro())
	if db.Dialect() == sqlstore.DialectPostgres {
		q, created = `INSERT INTO import_keys (site_id, source, source_id, comment_id, source_user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, at(50)
	}
	if _, err := db.SQL().ExecContext(ctx, q, site.ID, "disqus", "1001", first.ID, "anna_k", created); err != nil {
		t.Fatal(err)
	}
	return site, first
}

func checkReport(t *testing.T, rep sqlstore.CopyReport, wantComments int) {
	t.Helper()
	if len(rep.Tables) == 0 {
		t.Fatal("empty report")
	}
	for _, tr := range rep.Tables {
		if !tr.OK() {
			t.Errorf("table %s: rows %d/%d checksum %s/%s", tr.Name, tr.SrcRows, tr.DstRows, tr.SrcChecksum, tr.DstChecksum)
		}
		if tr.SrcRows == 0 {
			t.Errorf("table %s is empty: the seed should cover every table", tr.Name)
		}
		if tr.Name == "comments" && tr.SrcRows != wantComments {
			t.Errorf("comments: %d rows, want %d", tr.SrcRows, wantComments)
		}
	}
}

func TestCopySQLiteToPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := 10000
	if testing.Short() {
		n = 1000 // the race detector makes the pure-Go SQLite very slow
	}
	src := sqltest.OpenSQLite(t)
	site, first := seedInstallation(t, src, n)
	dst, err := sqlstore.Open(ctx, sqltest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	var lines []string
	start := time.Now()
	rep, err := sqlstore.Copy(ctx, src, dst, func(m string) { lines = append(lines, m) })
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, strings.Join(lines, "\n"))
	}
	t.Logf("first copy of %d comments (with verification): %v", n, time.Since(start).Round(time.Millisecond))
	checkReport(t, rep, n)

	// The copy serves the same data through the Store API.
	for _, db := range []*sqlstore.DB{src, dst} {
		counts, err := db.CountQueue(ctx, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Statuses cycle through four values, so a quarter are approved.
		if counts[parley.StatusPending] == 0 || counts[parley.StatusApproved] != n/4 {
			t.Fatalf("%s counts: %v", db.Dialect(), counts)
		}
	}
	cs, _ := src.CountQueue(ctx, site.ID)
	cd, _ := dst.CountQueue(ctx, site.ID)
	if fmt.Sprint(cs) != fmt.Sprint(cd) {
		t.Fatalf("CountQueue differs: sqlite %v postgres %v", cs, cd)
	}
	got, err := dst.GetComment(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := src.GetComment(ctx, first.ID)
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("copied comment differs:\n%+v\n%+v", got, want)
	}

	// Running again is safe, and picks up rows changed since.
	want.Status, want.ModeratorNote = parley.StatusApproved, "approved after the first copy"
	if err := src.UpdateComment(ctx, want); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	rep, err = sqlstore.Copy(ctx, src, dst, nil)
	if err != nil {
		t.Fatalf("second copy: %v", err)
	}
	t.Logf("second copy (all rows upserted again): %v", time.Since(start).Round(time.Millisecond))
	checkReport(t, rep, n)
	got, err = dst.GetComment(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ModeratorNote != want.ModeratorNote || got.Version != want.Version {
		t.Fatalf("second copy did not update the changed row: %+v", got)
	}

}

// TestCopyVerifiesAndRoundTrips copies a smaller installation onto a
// destination that has diverged (verification must fail), then copies
// PostgreSQL back into a fresh SQLite database (checksums must equal the
// original's).
func TestCopyVerifiesAndRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 500
	src := sqltest.OpenSQLite(t)
	seedInstallation(t, src, n)
	dst := sqltest.OpenPostgres(t)
	rep, err := sqlstore.Copy(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, n)

	// Verification catches a destination that differs from the source.
	if err := dst.CreateSite(ctx, &parley.Site{ID: parley.NewID(time.Now()), Name: "only in dst", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rep, err = sqlstore.Copy(ctx, src, dst, nil)
	if parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("copy onto a diverged destination: err = %v, want conflict", err)
	}
	for _, tr := range rep.Tables {
		if (tr.Name == "sites") == tr.OK() {
			t.Errorf("table %s: OK=%v", tr.Name, tr.OK())
		}
	}

	// And back: PostgreSQL to a fresh SQLite gives the same checksums.
	back, err := sqlstore.Open(ctx, t.TempDir()+"/back.db")
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if _, err := dst.SQL().ExecContext(ctx, `DELETE FROM sites WHERE name = 'only in dst'`); err != nil {
		t.Fatal(err)
	}
	rep2, err := sqlstore.Copy(ctx, dst, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep2, n)
	for i := range rep2.Tables {
		if rep2.Tables[i].DstChecksum != rep.Tables[i].SrcChecksum {
			t.Errorf("table %s: round-trip checksum %s != original %s", rep2.Tables[i].Name, rep2.Tables[i].DstChecksum, rep.Tables[i].SrcChecksum)
		}
	}
}

// seedWebhook adds a webhook and a delivery in each of two states.
func seedWebhook(ctx context.Context, tx parley.Store, siteID string, at func(int) time.Time) error {
	h := &parley.Webhook{ID: parley.NewID(at(45)), SiteID: siteID, URL: "https://hooks.example/x", Events: []string{parley.HookCommentApproved},
		Active: true, ModeratorFacing: true, Secret: "whsec_x", CreatedAt: at(45), UpdatedAt: at(45)}
	if err := tx.CreateWebhook(ctx, h); err != nil {
		return err
	}
	for i, st := range []parley.DeliveryStatus{parley.DeliveryDelivered, parley.DeliveryPending} {
		d := &parley.WebhookDelivery{ID: parley.NewID(at(46 + i)), SiteID: siteID, WebhookID: h.ID, Event: parley.HookCommentApproved,
			OrderKey: "c1", Body: []byte(`{"event":"comment.approved"}`), Status: st, CreatedAt: at(46 + i)}
		if st == parley.DeliveryDelivered {
			d.Attempts, d.StatusCode, d.DurationMS, d.LastAttemptAt, d.DeliveredAt = 1, 200, 12, at(47), at(47)
		}
		if err := tx.CreateDelivery(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// seedIdentity adds a row to each table of sign-in and email delivery:
// site sign-in settings, an external identity, a used SSO token ID, an
// OIDC flow, an SSO session, a verified address, an email link and an
// outbox message, and a dashboard import job.
func seedIdentity(ctx context.Context, tx parley.Store, siteID, userID string, at func(int) time.Time) error {
	if err := tx.PutSiteAuth(ctx, &parley.SiteAuth{SiteID: siteID, SSO: parley.SSOConfig{Secret: "0123456789abcdef0123456789abcdef"}, UpdatedAt: at(60)}); err != nil {
		return err
	}
	if err := tx.CreateIdentity(ctx, &parley.Identity{ID: parley.NewID(at(61)), UserID: userID, Issuer: "https://op.example", Subject: "s1",
		Email: "mod@d.example", Name: "Mod", CreatedAt: at(61), LastLoginAt: at(62)}); err != nil {
		return err
	}
	if err := tx.UseTokenID(ctx, siteID, "jti-1", at(63)); err != nil {
		return err
	}
	if err := tx.CreateLoginFlow(ctx, &parley.LoginFlow{StateHash: "st", SiteID: siteID, Verifier: "v", Nonce: "n", ReturnTo: "/moderation", ExpiresAt: at(64)}); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, &parley.Session{IDHash: "ih-sso", UserID: userID, CSRFToken: "c2", Method: "sso", SiteID: siteID,
		UserAgent: "Chromium", CreatedAt: at(65), ExpiresAt: at(66)}); err != nil {
		return err
	}
	if err := tx.SetEmailVerified(ctx, userID, at(67)); err != nil {
		return err
	}
	if err := tx.CreateAuthLink(ctx, &parley.AuthLink{ID: parley.NewID(at(68)), TokenHash: "th", Purpose: "invite", SiteID: siteID,
		Email: "new@d.example", Role: parley.RoleModerator, InvitedBy: userID, CreatedAt: at(68), ExpiresAt: at(69)}); err != nil {
		return err
	}
	if err := tx.EnqueueOutbox(ctx, &parley.OutboxMessage{ID: parley.NewID(at(70)), SiteID: siteID, Kind: parley.OutboxEmail, DedupeKey: "seed",
		Payload: []byte(`{"to":"r@d.example"}`), Status: parley.OutboxPending, NextAttemptAt: at(70), CreatedAt: at(70), UpdatedAt: at(70)}); err != nil {
		return err
	}
	jobID := parley.NewID(at(71))
	if err := tx.CreateImportJob(ctx, &parley.ImportJob{ID: jobID, SiteID: siteID, Format: "disqus", FileName: "export.xml",
		UploadSize: 6, Strict: true, ActorID: userID, ActorName: "Mod", State: parley.ImportRunning,
		Progress: []byte(`{"records":3}`), Attempts: 1, ClaimedBy: "w1", LeaseUntil: at(72), CreatedAt: at(71), UpdatedAt: at(71)}); err != nil {
		return err
	}
	if err := tx.AddImportUploadChunk(ctx, jobID, 0, []byte("<d\x00s\xff>")); err != nil {
		return err
	}
	return tx.SetProviderRole(ctx, siteID, userID, parley.RoleModerator)
}
