package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// passwordHasher hashes account passwords; the in-process CLI tests make
// it cheap (see TestMain).
var passwordHasher = service.DefaultPasswordHasher

// adminService opens the database (which must be migrated) and returns a
// service for CLI commands.
func adminService(ctx context.Context, dbf *dbFlags) (*service.Service, func(), error) {
	db, err := dbf.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	return service.New(service.Options{Store: db, Clock: parley.SystemClock{}, Passwords: passwordHasher}), func() { db.Close() }, nil
}

func runSiteAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	id := fs.String("id", "", "site ID: lowercase letters, digits and dashes")
	name := fs.String("name", "", "site name, shown to readers and moderators")
	var origins stringList
	fs.Var(&origins, "origin", "the news site's origin, e.g. https://news.example (repeatable); used for CORS")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	site, err := svc.CreateSite(ctx, *id, *name, origins)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.site.added", site.ID, site.Name, strings.Join(site.Origins, ", ")))
	return nil
}

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	email := fs.String("email", "", "the user's email (their login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, moderator or author")
	siteID := fs.String("site", "", "the site the role applies to")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if !*pwStdin {
		return errorf(ctx, "cli.err.password_stdin")
	}
	if *siteID == "" || *role == "" {
		return errorf(ctx, "cli.err.site_role_required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return errorf(ctx, "cli.err.read_password", err)
	}
	password := strings.TrimRight(line, "\r\n")
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	r := parley.Role(*role)
	if !r.Valid() {
		return errorf(ctx, "cli.err.role")
	}
	if _, err := svc.Site(ctx, *siteID); err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, *email, *name, password)
	if err != nil && !parley.IsCode(err, parley.ECONFLICT) {
		return err
	}
	if err := svc.SetRole(ctx, *siteID, *email, r); err != nil {
		return err
	}
	if u == nil {
		fmt.Fprintln(stdout, tr(ctx, "cli.user.existed", *email, *siteID, r))
		return nil
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.user.added", u.Email, r, *siteID))
	return nil
}

// runUserResetPassword gives a user a new password: the one on standard
// input with --password-stdin, else a random one it prints.
func runUserResetPassword(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	email := fs.String("email", "", "the user's email (their login)")
	pwStdin := fs.Bool("password-stdin", false, "read the new password from the first line of standard input (default: generate one and print it)")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *email == "" {
		return errorf(ctx, "cli.err.required", "--email")
	}
	password := service.NewPassword()
	if *pwStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return errorf(ctx, "cli.err.read_password", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.SetPassword(ctx, *email, password)
	if err != nil {
		return err
	}
	if *pwStdin {
		fmt.Fprintln(stdout, tr(ctx, "cli.user.password_changed", u.Email))
		return nil
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.user.new_password", u.Email, password))
	return nil
}

func runTokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	email := fs.String("email", "", "the user the token acts as")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	tok, err := svc.CreateToken(ctx, *email)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, tr(ctx, "cli.token.created"))
	fmt.Fprintln(stdout, tok)
	return nil
}
