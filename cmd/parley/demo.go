package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/router"
	"github.com/parley-comments/parley/service"
)

//go:embed demo
var demoFiles embed.FS

// DemoSiteID is the site the demo serves.
const demoSiteID = "demo"

// demoNewsroom is the origin of the demo article's canonical URL (its
// data-story-url): story URLs must be on one of a site's origins.
const demoNewsroom = "https://demo.parley.example"

// setupDemo creates the demo site on first run, with this server's own
// origin and the demo newsroom's, and a demo moderator whose password is
// printed once. A demo site from an older version gets the newsroom origin.
func setupDemo(ctx context.Context, svc *service.Service, baseURL string, stdout io.Writer) error {
	existing, err := svc.Site(ctx, demoSiteID)
	if err == nil && !slices.Contains(existing.Origins, demoNewsroom) {
		existing.Origins = append(existing.Origins, demoNewsroom)
		if err := svc.Store().UpdateSite(ctx, existing); err != nil {
			return err
		}
	}
	if parley.IsCode(err, parley.ENOTFOUND) {
		site, err := svc.CreateSite(ctx, demoSiteID, "Parley Demo Gazette", []string{baseURL, demoNewsroom})
		if err != nil {
			return err
		}
		email := "moderator@demo.example"
		password := service.NewGuestToken()[3:23]
		if _, err := svc.CreateUser(ctx, email, "Demo Moderator", password); err != nil && !parley.IsCode(err, parley.ECONFLICT) {
			return err
		}
		if err := svc.SetRole(ctx, demoSiteID, email, parley.RoleAdmin); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo site %q created; moderator login: %s / %s (shown once)\n", site.ID, email, password)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo article: %s/   moderation: %s/moderation\n", baseURL, baseURL)
	return nil
}

// mountDemo serves the sample article at /.
func mountDemo(mux router.Registrar) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		b, err := demoFiles.ReadFile("demo/article.html")
		if err != nil {
			http.Error(w, "demo page missing", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// The demo page runs under the strict policy a newsroom should use.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /demo.css", func(w http.ResponseWriter, r *http.Request) {
		b, _ := demoFiles.ReadFile("demo/demo.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write(b)
	})
}
