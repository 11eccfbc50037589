package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/render"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// BenchmarkThread200 measures GET /api/v1/comments for a story with 200
// approved comments through the real router on SQLite, uncached (the
// reader sends a guest token) and cached (anonymous).
func BenchmarkThread200(b *testing.B) {
	db := sqltest.OpenSQLite(b)
	ctx := context.Background()
	svc := service.New(service.Options{Passwords: service.CheapPasswordHasher, Store: db, Clock: parley.SystemClock{}})
	if _, err := svc.CreateSite(ctx, "bench", "Bench", nil); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	st := &parley.Story{ID: parley.NewID(now), SiteID: "bench", URL: "https://bench.example/big", Title: "Big", CreatedAt: now}
	rd := render.New()
	err := db.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreateStory(ctx, st); err != nil {
			return err
		}
		for i := 0; i < 200; i++ {
			at := now.Add(time.Duration(i) * time.Millisecond)
			body := fmt.Sprintf("Comment number %d about the rail line, the border and the *price* of tickets this winter.", i)
			c := &parley.Comment{ID: parley.NewID(at), SiteID: "bench", StoryID: st.ID, Status: parley.StatusApproved, Body: body, HTML: rd.HTML(body),
				AuthorName: "Reader", AuthorKey: fmt.Sprintf("e:r%d@example.org", i), Language: "en",
				Scores: map[parley.Label]float64{parley.LabelToxic: 0.1}, CreatedAt: at, UpdatedAt: at, Version: 1}
			if err := tx.CreateComment(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Service: svc, Bus: events.New()})
	defer api.Close()
	h := api.Handler()
	url := "/api/v1/comments?site=bench&story_url=https://bench.example/big&limit=500"
	for _, tc := range []struct {
		name  string
		token string
	}{{"uncached", "pg_reader"}, {"cached", ""}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, url, nil)
				if tc.token != "" {
					req.Header.Set("X-Parley-Guest-Token", tc.token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkPost measures POST /api/v1/comments through the real router on
// SQLite in a temporary directory (synchronous=FULL: each commit is
// fsync'd), with the built-in classifier, the duplicate index and the
// reader's confirmation mail, as bench/compare posts: a guest with an
// email, on one of 500 stories. cpu-µs/op is the process's user and
// system time per post, which load on the machine changes less than
// ns/op; run it with -cpu 1 and compare A/B runs made alternately.
func BenchmarkPost(b *testing.B) {
	db := sqltest.OpenSQLite(b)
	ctx := context.Background()
	model, err := classify.Default()
	if err != nil {
		b.Fatal(err)
	}
	svc := service.New(service.Options{Passwords: service.CheapPasswordHasher, Store: db, Clock: parley.SystemClock{},
		Classifier: model, Adapter: adapter.Adapter{}, Logger: slog.New(slog.DiscardHandler), Index: dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow}),
		SiteCacheTTL: service.DefaultSiteCacheTTL}) // as serve runs
	if _, err := svc.CreateSite(ctx, "bench", "Bench", []string{"https://bench.example"}); err != nil {
		b.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Service: svc, Bus: events.New()})
	defer api.Close()
	h := api.Handler()
	n := 0
	post := func() {
		n++
		body := fmt.Sprintf(`{"site":"bench","story_url":"https://bench.example/s/%d","body":"Load test comment %d about the reopening of the rail line and what it means for trade.","author_name":"Load","author_email":"load%d@example.org","compose_ms":30000}`, n%500, n, n)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/comments", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	for range 500 { // every story exists, as in bench/compare's seeded data
		post()
	}
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	wrote, wroteOK := writtenBytes()
	b.ResetTimer()
	for b.Loop() {
		post()
	}
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	if now, ok := writtenBytes(); ok && wroteOK {
		b.ReportMetric(float64(now-wrote)/float64(b.N), "written-B/op")
	}
}

// writtenBytes is what the process has written so far (wchar in
// /proc/self/io, Linux): for BenchmarkPost, mostly the WAL's frames, one
// page and its header each, and the checkpoints' copies of them. Load on
// the machine does not change it.
func writtenBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
