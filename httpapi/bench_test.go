package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-comments/parley"
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
