// Command parley is the Parley comment server and its admin CLI.
//
//	parley serve      --addr HOST:PORT [--demo] [--migrate]   serve the API, widget and dashboard
//	parley migrate                                             apply the embedded migrations
//	parley site add   --id ID --name NAME --origin URL         add a site (tenant)
//	parley site auth  --site ID [--sso-… | --oidc-…]          show or set a site's SSO and OIDC sign-in
//	parley user add   --email E --name N --role R --site ID --password-stdin
//	parley user reset-password --email E [--password-stdin]   set (or generate and print) a new password
//	parley token create --email E                              print a new API token (last line)
//	parley migrate-db --from DIR-or-URL --to URL               copy a whole installation
//	parley import --site ID --format FORMAT [--strict] FILE    import another system's comments
//	parley export --site ID [--format jsonl|wxr] [--out FILE]  export a site
//	parley backup --out FILE                                   snapshot the SQLite database
//	parley restore [--force] FILE                              restore a snapshot
//	parley train --data a.csv,b.csv --out model.bin            retrain the built-in classifier
//	parley eval --data test.csv [--model model.bin] [--json]   measure a model
//	parley classify [--json] "text"                            score one text
//
// Every command takes --data DIR (default ./parley-data, which holds the
// SQLite file) or --db postgres://… to use PostgreSQL. Both can also come
// from the environment: PARLEY_DATA, PARLEY_DB. What a command prints for
// people is in the language of --lang en|ru|hy|az|tr, else PARLEY_LANG,
// else LC_ALL, LC_MESSAGES or LANG (docs/i18n.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/parley-comments/parley/i18n"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// usage is the English help; the one printed comes from the catalog
// (cli.usage), and a test keeps the two the same.
const usage = `usage: parley <command> [flags]

commands:
  serve          serve the API, the widget and the moderation dashboard
  migrate        apply the embedded database migrations
  site add       add a site
  site auth      show or set a site's sign-in: newsroom SSO (JWT) and staff OIDC
  user add       add a user with a role on a site
  user reset-password  give a user a new password (printed unless --password-stdin)
  token create   create an API token for a user
  migrate-db     copy a SQLite installation into PostgreSQL and verify it
  import         import comments from Disqus, WordPress, remark42, Isso, Commento or a Parley export
  export         export a site's stories and comments (jsonl or wxr)
  backup         write a verified snapshot of the SQLite database
  restore        restore a SQLite backup into a data directory
  train          retrain the built-in classifier from labeled CSV files
  eval           measure a classifier model on labeled CSV files
  tune-thresholds
                 set the tr, az and hy thresholds of a model from measured precision
  classify       score one text: labels, language, evidence

Every command takes --lang en|ru|hy|az|tr (default: PARLEY_LANG, then LC_ALL, LC_MESSAGES, LANG).
Run "parley <command> -h" for a command's flags.`

// run dispatches a command. It is main without the process: tests call it.
// --lang (anywhere before "--") or the environment (cliLang) picks the
// language of what it prints for people.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	langFlag, args, err := takeLangFlag(args)
	if err != nil {
		return err
	}
	lang, err := cliLang(langFlag, os.Getenv)
	if err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	ctx = withMessages(ctx, &messages{cat: cat, lang: lang})
	defer func() { err = localizeError(ctx, err) }()
	usage := tr(ctx, "cli.usage")
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	sub := func() (string, []string) {
		if len(rest) == 0 {
			return "", nil
		}
		return rest[0], rest[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "site":
		switch s, r := sub(); s {
		case "add":
			return runSiteAdd(ctx, r, stdout, stderr)
		case "auth":
			return runSiteAuth(ctx, r, stdin, stdout, stderr)
		}
	case "user":
		switch s, r := sub(); s {
		case "add":
			return runUserAdd(ctx, r, stdin, stdout, stderr)
		case "reset-password":
			return runUserResetPassword(ctx, r, stdin, stdout, stderr)
		}
	case "token":
		if s, r := sub(); s == "create" {
			return runTokenCreate(ctx, r, stdout, stderr)
		}
	case "migrate-db":
		return runMigrateDB(ctx, rest, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "export":
		return runExport(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, stdout, stderr)
	case "train":
		return runTrain(ctx, rest, stdout)
	case "eval":
		return runEval(ctx, rest, stdout, stderr)
	case "tune-thresholds":
		return runTuneThresholds(ctx, rest, stdout, stderr)
	case "classify":
		return runClassify(ctx, rest, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return errorf(ctx, "cli.err.unknown_command", joinArgs(args, 2))
}

func joinArgs(args []string, n int) string {
	if len(args) < n {
		n = len(args)
	}
	out := ""
	for i, a := range args[:n] {
		if i > 0 {
			out += " "
		}
		out += a
	}
	return out
}
