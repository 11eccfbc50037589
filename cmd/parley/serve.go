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
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/oidclogin"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/pgnotify"
	"github.com/parley-comments/parley/ssojwt"
)

// serveConfig is everything serve needs, from flags and environment.
type serveConfig struct {
	db             dbFlags
	addr           string
	metricsAddr    string
	demo           bool
	demoSeed       bool
	migrate        bool
	rateLimit      string
	trustedProxies string
	secureCookies  string
	logFormat      string
	logLevel       string
	// Webhooks and data retention (issue 14).
	webhookAllowPrivate bool
	ipRetention         time.Duration // 0: keep addresses
	backupEvery         time.Duration
	backupKeep          int
	backupDir           string
	// Email (issue 13).
	smtpURL   string
	mailFrom  string
	publicURL string
}

// validate checks cross-field rules.
func (c *serveConfig) validate(ctx context.Context) error {
	if c.rateLimit != "on" && c.rateLimit != "off" {
		return errorf(ctx, "cli.err.rate_limit")
	}
	switch c.secureCookies {
	case "auto", "on", "off":
	default:
		return errorf(ctx, "cli.err.secure_cookies")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return errorf(ctx, "cli.err.log_format")
	}
	if c.backupEvery != 0 {
		if c.db.db != "" {
			return errorf(ctx, "cli.err.backup_pg")
		}
		if c.backupEvery < time.Minute {
			return errorf(ctx, "cli.err.backup_every")
		}
		if c.backupKeep < 1 {
			return errorf(ctx, "cli.err.backup_keep")
		}
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		return errorf(ctx, "cli.err.addr", err)
	}
	if c.metricsAddr != "" {
		a, err := metricsListenAddr(ctx, c.metricsAddr)
		if err != nil {
			return err
		}
		c.metricsAddr = a
	}
	if c.publicURL != "" {
		if u, err := url.Parse(c.publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" && u.Path != "/" {
			return errorf(ctx, "cli.err.public_url")
		}
	}
	if c.smtpURL != "" && c.mailFrom == "" {
		return errorf(ctx, "cli.err.mail_from")
	}
	return nil
}

// metricsListenAddr returns the address for the metrics listener: a
// missing host means loopback, so metrics are never exposed by accident.
func metricsListenAddr(ctx context.Context, addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errorf(ctx, "cli.err.metrics_addr", err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
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
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", envOr("PARLEY_METRICS_ADDR", ""), "serve Prometheus metrics at /metrics on this [HOST]:PORT (env PARLEY_METRICS_ADDR); off when empty; no host means 127.0.0.1")
	fs.BoolVar(&cfg.demo, "demo", false, "create and serve a demo site with a sample article at /")
	fs.BoolVar(&cfg.demoSeed, "demo-seed", true, "with --demo, fill a new demo site with a multilingual thread and a moderation queue")
	fs.BoolVar(&cfg.migrate, "migrate", false, "apply pending database migrations before serving")
	fs.StringVar(&cfg.rateLimit, "rate-limit", envOr("PARLEY_RATE_LIMIT", "on"), "on or off; off is for load tests only")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", envOr("PARLEY_TRUSTED_PROXIES", ""), "comma-separated IPs or CIDRs whose X-Forwarded-For is trusted")
	fs.BoolVar(&cfg.webhookAllowPrivate, "webhook-allow-private", envOr("PARLEY_WEBHOOK_ALLOW_PRIVATE", "") == "1",
		"let webhooks reach private, loopback and link-local addresses (env PARLEY_WEBHOOK_ALLOW_PRIVATE=1)")
	fs.Func("ip-retention", "drop commenters' IP addresses after this long, e.g. 90d or 720h; 0 keeps them (env PARLEY_IP_RETENTION, default 90d)",
		func(v string) (err error) { cfg.ipRetention, err = parseRetention(ctx, v); return err })
	fs.StringVar(&cfg.secureCookies, "secure-cookies", envOr("PARLEY_SECURE_COOKIES", "auto"), "auto (on unless --demo on loopback), on or off")
	fs.StringVar(&cfg.logFormat, "log-format", envOr("PARLEY_LOG_FORMAT", "text"), "text or json")
	fs.StringVar(&cfg.logLevel, "log-level", envOr("PARLEY_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.DurationVar(&cfg.backupEvery, "backup-every", envDuration("PARLEY_BACKUP_EVERY"), "make a verified SQLite backup this often, e.g. 6h (env PARLEY_BACKUP_EVERY); 0 = off")
	fs.IntVar(&cfg.backupKeep, "backup-keep", 14, "scheduled backups to keep")
	fs.StringVar(&cfg.backupDir, "backup-dir", "", "directory for scheduled backups (default DATA/backups)")
	fs.StringVar(&cfg.smtpURL, "smtp-url", os.Getenv("PARLEY_SMTP_URL"), "SMTP server, smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465 (env PARLEY_SMTP_URL); empty: mail stays in the outbox")
	fs.StringVar(&cfg.mailFrom, "mail-from", os.Getenv("PARLEY_MAIL_FROM"), "sender of Parley's email, e.g. \"The Gazette <comments@gazette.example>\" (env PARLEY_MAIL_FROM)")
	fs.StringVar(&cfg.publicURL, "public-url", os.Getenv("PARLEY_PUBLIC_URL"), "the URL readers reach this server at, for links in email, e.g. https://comments.gazette.example (env PARLEY_PUBLIC_URL); default http://ADDR")
	var err error
	if cfg.ipRetention, err = parseRetention(ctx, envOr("PARLEY_IP_RETENTION", "90d")); err != nil {
		return errorf(ctx, "cli.err.flag", "PARLEY_IP_RETENTION", err)
	}
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if err := cfg.validate(ctx); err != nil {
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
		return errorf(ctx, "cli.err.flag", "--trusted-proxies", err)
	}

	// The demo is a one-command first run, so it migrates a fresh database.
	if cfg.db.db == "" {
		// The data directory's lock keeps "parley restore" from replacing the
		// database under a running server.
		unlock, ok, err := lockData(cfg.db.data)
		if err != nil {
			return err
		}
		if ok {
			defer unlock()
		}
	}
	db, err := cfg.db.open(ctx, cfg.migrate || cfg.demo)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.backupEvery > 0 {
		dir := cfg.backupDir
		if dir == "" {
			dir = filepath.Join(cfg.db.data, "backups")
		}
		go backupSchedule{every: cfg.backupEvery, keep: cfg.backupKeep, dir: dir}.run(ctx, db, logger)
	}

	bus, closeBus, err := newBus(ctx, db, cfg.db.db, logger)
	if err != nil {
		return err
	}
	defer closeBus()

	clock := parley.SystemClock{}
	index := dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow})
	go followIndex(ctx, db, bus, index, clock, logger)
	go housekeeping(ctx, db, clock, logger)
	go retainAddresses(ctx, db, clock, cfg.ipRetention, logger)

	limits := service.DefaultRateLimits
	limits.Enabled = cfg.rateLimit == "on"
	classifier := &lazyClassifier{}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + ln.Addr().String()
	publicURL := strings.TrimRight(cfg.publicURL, "/")
	if publicURL == "" {
		publicURL = baseURL
	}
	svc := service.New(service.Options{Store: db, Clock: clock, Classifier: classifier, Adapter: adapter.Adapter{}, Bus: bus, Index: index, Logger: logger, RateLimits: limits, Passwords: passwordHasher,
		WebhookAllowPrivate: cfg.webhookAllowPrivate, PublicURL: publicURL, SSO: ssojwt.New(nil), OIDC: oidclogin.New(nil),
		SessionCacheTTL: service.DefaultSessionCacheTTL, SiteCacheTTL: service.DefaultSiteCacheTTL})
	if err := svc.ProtectStaffNames(ctx); err != nil {
		logger.Warn("protect staff names from look-alike guest names", "err", err)
	}
	if err := setupMail(svc, cfg, logger); err != nil {
		return err
	}
	// One outbox worker per process; messages of a kind without a sender
	// stay pending (docs/email.md).
	go func() {
		if err := svc.RunOutbox(ctx); err != nil {
			logger.Error("outbox worker", "err", err)
		}
	}()
	go notificationJobs(ctx, svc, logger)
	// Dashboard imports: uploads wait under the data directory; a job
	// interrupted by a restart resumes (docs/migrate.md).
	svc.SetImportJobs(service.ImportJobOptions{Dir: filepath.Join(cfg.db.data, "imports")})
	go func() {
		if err := svc.RunImportJobs(ctx); err != nil {
			logger.Error("import worker", "err", err)
		}
	}()
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
			return errorf(ctx, "cli.err.demo_setup", err)
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
	fmt.Fprintln(stdout, tr(ctx, "cli.serve.listening", baseURL, db.Dialect()))
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	// Ready first, warm after: the model and the duplicate index load while
	// the server already answers. A comment posted meanwhile waits for the
	// model; the index catches up with the window (exact duplicates are
	// found in the database regardless).
	go func() {
		// Loading makes garbage several times the size of what it keeps:
		// collect it as it goes (a low GC target: very low for the half
		// second the model takes, lower than usual while the index reads
		// the recent comments, which takes longer, so that requests served
		// meanwhile are not slowed much), so that memory stays near what is
		// kept, and give it back after each.
		gc := debug.SetGCPercent(warmModelGCPercent)
		if err := classifier.Warm(); err != nil {
			logger.Error("load classifier", "err", err)
		}
		debug.FreeOSMemory()
		debug.SetGCPercent(warmIndexGCPercent)
		if err := warmIndex(ctx, db, index, clock.Now()); err != nil && ctx.Err() == nil {
			logger.Error("load recent comments into the duplicate index", "err", err)
		}
		debug.SetGCPercent(gc)
		debug.FreeOSMemory()
	}()
	if cfg.metricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.metricsAddr)
		if err != nil {
			return errorf(ctx, "cli.err.flag", "--metrics-addr", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		defer msrv.Close()
		fmt.Fprintln(stdout, tr(ctx, "cli.serve.metrics", mln.Addr().String()))
		go func() { errc <- msrv.Serve(mln) }()
	}
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

// setupMail registers the SMTP sender for the outbox's email, or warns that
// mail will wait in the outbox.
func setupMail(svc *service.Service, cfg serveConfig, logger *slog.Logger) error {
	if cfg.smtpURL == "" {
		logger.Warn("no --smtp-url: email (sign-in links, invites, password resets, notifications) is logged and kept in the outbox, not sent")
		return nil
	}
	snd, err := mailer.New(mailer.Config{URL: cfg.smtpURL, From: cfg.mailFrom})
	if err != nil {
		return fmt.Errorf("--smtp-url: %w", err)
	}
	svc.RegisterOutboxSender(parley.OutboxEmail, snd)
	return nil
}

// newBus returns the event bus: LISTEN/NOTIFY on PostgreSQL, so that every
// instance sees every event, or in-process on SQLite.
func newBus(ctx context.Context, db *sqlstore.DB, pgURL string, logger *slog.Logger) (parley.EventBus, func(), error) {
	if db.Dialect() == "postgres" {
		b, err := pgnotify.New(ctx, pgURL, logger)
		if err != nil {
			return nil, nil, errorf(ctx, "cli.err.events", err)
		}
		return b, func() { b.Close() }, nil
	}
	return events.New(), func() {}, nil
}

// The garbage collector's targets while the model and the duplicate index
// load after start (see runServe).
const (
	warmModelGCPercent = 10
	warmIndexGCPercent = 25
)

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
		if e.Type != parley.EventCommentCreated || ix.Has(e.CommentID) {
			continue // this instance's own comments are indexed already
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
	sentOutboxRetention     = 7 * 24 * time.Hour
	rateBucketRetention     = 24 * time.Hour
)

// housekeeping deletes expired sessions, old idempotency keys, idle rate
// buckets, expired email links and sent outbox messages older than a
// week, once an hour.
// Several instances may run it at once; deletes are idempotent.
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
		if n, err := db.PurgeAuthLinks(ctx, now); err != nil {
			if ctx.Err() == nil {
				logger.Warn("housekeeping: email links", "err", err)
			}
		} else if n > 0 {
			logger.Info("housekeeping: expired email links deleted", "deleted", n)
		}
		if n, err := db.PurgeOutbox(ctx, now.Add(-sentOutboxRetention)); err != nil {
			if ctx.Err() == nil {
				logger.Warn("housekeeping: outbox", "err", err)
			}
		} else if n > 0 {
			logger.Info("housekeeping: sent outbox messages deleted", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// envDuration reads a duration from the environment; 0 when unset or bad
// (a bad value is then refused by flag parsing of the same text).
func envDuration(name string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(name))
	return d
}

// parseRetention reads a retention period: a number of days ("90d") or a
// Go duration ("720h"); "0" means forever.
func parseRetention(ctx context.Context, v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, errorf(ctx, "cli.err.retention", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, errorf(ctx, "cli.err.retention", v)
	}
	return d, nil
}

// retainAddresses drops client IP addresses older than keep, once an hour
// (never when keep is 0). Several instances may run it at once.
func retainAddresses(ctx context.Context, db parley.Store, clock parley.Clock, keep time.Duration, logger *slog.Logger) {
	if keep <= 0 {
		logger.Info("IP addresses are kept without limit (--ip-retention 0)")
		return
	}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := db.DropOldAddresses(ctx, clock.Now().Add(-keep)); err != nil {
			if ctx.Err() == nil {
				logger.Warn("IP retention", "err", err)
			}
		} else if n > 0 {
			logger.Info("IP retention: addresses dropped", "rows", n, "older_than", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// notificationJobs runs the periodic mails: queue alerts every minute,
// digests and daily summaries every hour. Several instances may run them
// at once; each mail's dedupe key makes it go out once.
func notificationJobs(ctx context.Context, svc *service.Service, logger *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for n := 0; ; n++ {
		if _, err := svc.CheckQueueAlerts(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("queue alerts", "err", err)
		}
		if n%60 == 0 {
			if _, err := svc.SendDigests(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("digests", "err", err)
			}
			if _, err := svc.SendDailySummaries(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("daily summaries", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
