package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/pgnotify"
)

// serveConfig is everything serve needs, from flags and environment.
type serveConfig struct {
	db             dbFlags
	addr           string
	demo           bool
	demoSeed       bool
	migrate        bool
	rateLimit      string
	trustedProxies string
	secureCookies  string
	logFormat      string
	logLevel       string
}

// validate checks cross-field rules.
func (c *serveConfig) validate() error {
	if c.rateLimit != "on" && c.rateLimit != "off" {
		return fmt.Errorf("--rate-limit must be on or off")
	}
	switch c.secureCookies {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("--secure-cookies must be auto, on or off")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return fmt.Errorf("--log-format must be text or json")
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return fmt.Errorf("--addr must be HOST:PORT: %w", err)
	}
	return nil
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	cfg.db.register(fs)
	fs.StringVar(&cfg.addr, "addr", envOr("PARLEY_ADDR", "127.0.0.1:8080"), "address to listen on (env PARLEY_ADDR); port 0 picks a free port")
	fs.BoolVar(&cfg.demo, "demo", false, "create and serve a demo site with a sample article at /")
	fs.BoolVar(&cfg.demoSeed, "demo-seed", true, "with --demo, fill a new demo site with a multilingual thread and a moderation queue")
	fs.BoolVar(&cfg.migrate, "migrate", false, "apply pending database migrations before serving")
	fs.StringVar(&cfg.rateLimit, "rate-limit", envOr("PARLEY_RATE_LIMIT", "on"), "on or off; off is for load tests only")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", envOr("PARLEY_TRUSTED_PROXIES", ""), "comma-separated IPs or CIDRs whose X-Forwarded-For is trusted")
	fs.StringVar(&cfg.secureCookies, "secure-cookies", envOr("PARLEY_SECURE_COOKIES", "auto"), "auto (on unless --demo on loopback), on or off")
	fs.StringVar(&cfg.logFormat, "log-format", envOr("PARLEY_LOG_FORMAT", "text"), "text or json")
	fs.StringVar(&cfg.logLevel, "log-level", envOr("PARLEY_LOG_LEVEL", "info"), "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	logger, err := newLogger(cfg.logFormat, cfg.logLevel, stderr)
	if err != nil {
		return err
	}
	var proxies []string
	if cfg.trustedProxies != "" {
		proxies = strings.Split(cfg.trustedProxies, ",")
	}
	resolver, err := clientip.NewResolver(proxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}

	// The demo is a one-command first run, so it migrates a fresh database.
	db, err := cfg.db.open(ctx, cfg.migrate || cfg.demo)
	if err != nil {
		return err
	}
	defer db.Close()

	bus, closeBus, err := newBus(ctx, db, cfg.db.db, logger)
	if err != nil {
		return err
	}
	defer closeBus()

	clock := parley.SystemClock{}
	index := dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow})
	if err := warmIndex(ctx, db, index, clock.Now()); err != nil {
		return fmt.Errorf("load recent comments into the duplicate index: %w", err)
	}
	go followIndex(ctx, db, bus, index, clock, logger)
	go housekeeping(ctx, db, clock, logger)

	limits := service.DefaultRateLimits
	limits.Enabled = cfg.rateLimit == "on"
	classifier, err := loadClassifier()
	if err != nil {
		return fmt.Errorf("load classifier: %w", err)
	}
	svc := service.New(service.Options{Store: db, Clock: clock, Classifier: classifier, Adapter: adapter.Adapter{}, Bus: bus, Index: index, Logger: logger, RateLimits: limits})

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + ln.Addr().String()
	secure := cfg.secureCookies == "on" || (cfg.secureCookies == "auto" && !cfg.demo)
	api := httpapi.New(httpapi.Config{Service: svc, Bus: bus, Resolver: resolver, Logger: logger, SecureCookies: secure, Ready: db.Ping})
	defer api.Close()
	if err := mountExtras(api.Mux(), svc, logger, secure, resolver); err != nil {
		return err
	}
	if cfg.demo {
		loginsFile := ""
		if cfg.db.db == "" {
			loginsFile = filepath.Join(cfg.db.data, "demo-logins.txt")
		}
		if err := setupDemo(ctx, svc, baseURL, loginsFile, cfg.demoSeed, stdout); err != nil {
			return fmt.Errorf("demo setup: %w", err)
		}
		mountDemo(api.Mux())
	}

	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	fmt.Fprintf(stdout, "parley listening on %s (%s)\n", baseURL, db.Dialect())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// newBus returns the event bus: LISTEN/NOTIFY on PostgreSQL, so that every
// instance sees every event, or in-process on SQLite.
func newBus(ctx context.Context, db *sqlstore.DB, pgURL string, logger *slog.Logger) (parley.EventBus, func(), error) {
	if db.Dialect() == "postgres" {
		b, err := pgnotify.New(ctx, pgURL, logger)
		if err != nil {
			return nil, nil, fmt.Errorf("listen for events: %w", err)
		}
		return b, func() { b.Close() }, nil
	}
	return events.New(), func() {}, nil
}

// warmIndex loads the last window of comments into the duplicate index.
func warmIndex(ctx context.Context, db parley.Store, ix *dedupe.Index, now time.Time) error {
	after := ""
	for {
		page, err := db.ScanComments(ctx, now.Add(-parley.DefaultClusterWindow), after, 1000)
		if err != nil {
			return err
		}
		for _, c := range page {
			ix.Add(dedupe.Doc{SiteID: c.SiteID, CommentID: c.ID, AuthorKey: c.AuthorKey, ClusterID: c.ClusterID, Text: c.Body, At: c.CreatedAt})
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// followIndex adds comments created by other instances to this instance's
// duplicate index. Add is idempotent, so this instance's own events are
// harmless.
// It also drops comments older than the window once an hour.
func followIndex(ctx context.Context, db parley.Store, bus parley.EventBus, ix *dedupe.Index, clock parley.Clock, logger *slog.Logger) {
	expire := time.NewTicker(time.Hour)
	defer expire.Stop()
	sub := bus.Subscribe(ctx)
	for {
		var e parley.Event
		select {
		case <-expire.C:
			ix.Expire(clock.Now())
			continue
		case ev, ok := <-sub:
			if !ok {
				return
			}
			e = ev
		}
		if e.Type != parley.EventCommentCreated {
			continue
		}
		c, err := db.GetComment(ctx, e.CommentID)
		if err != nil {
			logger.Warn("duplicate index: load comment", "comment", e.CommentID, "err", err)
			continue
		}
		ix.Add(dedupe.Doc{SiteID: c.SiteID, CommentID: c.ID, AuthorKey: c.AuthorKey, ClusterID: c.ClusterID, Text: c.Body, At: c.CreatedAt})
	}
}

// Retention of housekeeping data.
const (
	idempotencyKeyRetention = 7 * 24 * time.Hour
	rateBucketRetention     = 24 * time.Hour
)

// housekeeping deletes expired sessions, old idempotency keys and idle rate
// buckets once an hour. Several instances may run it at once; deletes are
// idempotent.
func housekeeping(ctx context.Context, db parley.Store, clock parley.Clock, logger *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		now := clock.Now()
		if n, err := db.Purge(ctx, now, now.Add(-idempotencyKeyRetention), now.Add(-rateBucketRetention)); err != nil {
			if ctx.Err() == nil {
				logger.Warn("housekeeping", "err", err)
			}
		} else if n > 0 {
			logger.Info("housekeeping", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
