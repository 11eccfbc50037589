package main

import (
	"context"
	"embed"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

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
// origin: a moderator and a separate admin login (written to loginsFile,
// or printed when there is no data directory), the newsroom's staff, and,
// with seed, a multilingual thread and a moderation queue. Every run
// prints where the logins are.
func setupDemo(ctx context.Context, svc *service.Service, baseURL, loginsFile string, seed bool, stdout io.Writer) error {
	existing, err := svc.Site(ctx, demoSiteID)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	if err == nil {
		// A demo site from an older version gets the newsroom origin.
		if !slices.Contains(existing.Origins, demoNewsroom) {
			existing.Origins = append(existing.Origins, demoNewsroom)
			if err := svc.Store().UpdateSite(ctx, existing); err != nil {
				return err
			}
		}
		fmt.Fprintln(stdout, tr(ctx, "cli.demo.urls", baseURL, baseURL))
		printLoginsHint(ctx, stdout, loginsFile)
		return nil
	}
	site, err := svc.CreateSite(ctx, demoSiteID, "Parley Demo Gazette", []string{baseURL, demoNewsroom})
	if err != nil {
		return err
	}
	users := map[string]*parley.User{}
	var logins strings.Builder
	fmt.Fprintln(&logins, tr(ctx, "cli.demo.logins_header", baseURL, time.Now().UTC().Format(time.RFC3339)))
	for _, a := range []struct {
		acct  demoAccount
		role  parley.Role
		print bool
	}{{demoModerator, parley.RoleModerator, true}, {demoAdmin, parley.RoleAdmin, true}, {demoDesk, parley.RoleModerator, false}, {demoReporter, parley.RoleAuthor, false}} {
		password := service.NewPassword()
		u, err := svc.CreateUser(ctx, a.acct.email, a.acct.name, password)
		if err != nil {
			return err
		}
		if err := svc.SetRole(ctx, demoSiteID, a.acct.email, a.role); err != nil {
			return err
		}
		users[a.acct.key] = u
		if a.print {
			fmt.Fprintf(&logins, "%-10s %s / %s\n", a.role, a.acct.email, password)
		}
	}
	if seed {
		// The demo's readers and staff are made up (.example addresses):
		// seeding mails none of them.
		if err := seedDemo(service.WithoutMail(ctx), svc, users); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.demo.created", site.ID))
	if loginsFile == "" {
		fmt.Fprint(stdout, logins.String())
		fmt.Fprintln(stdout, tr(ctx, "cli.demo.shown_once"))
	} else if err := os.WriteFile(loginsFile, []byte(logins.String()), 0o600); err != nil {
		return errorf(ctx, "cli.err.demo_logins", err)
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.demo.urls", baseURL, baseURL))
	printLoginsHint(ctx, stdout, loginsFile)
	return nil
}

// printLoginsHint says where the demo's logins are and how to get one back.
func printLoginsHint(ctx context.Context, w io.Writer, loginsFile string) {
	if loginsFile != "" {
		fmt.Fprintln(w, tr(ctx, "cli.demo.logins_file", loginsFile))
	}
	fmt.Fprintln(w, tr(ctx, "cli.demo.lost", demoModerator.email))
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
