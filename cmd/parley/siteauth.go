package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"strings"

	"github.com/parley-comments/parley"
)

// runSiteAuth shows or changes a site's sign-in configuration. Secrets
// come from standard input, never from the command line.
func runSiteAuth(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("site auth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	siteID := fs.String("site", "", "the site")
	ssoSecretStdin := fs.Bool("sso-secret-stdin", false, "read the HS256 shared secret (32+ bytes) from the first line of standard input")
	ssoKeyFile := fs.String("sso-public-key-file", "", "a PEM RSA (RS256) or Ed25519 (EdDSA) public key file")
	ssoJWKS := fs.String("sso-jwks-url", "", "the newsroom's JWKS URL (RS256, ES256 or EdDSA keys by kid)")
	ssoOff := fs.Bool("sso-off", false, "turn SSO off")
	issuer := fs.String("oidc-issuer", "", "the OpenID provider's issuer URL")
	clientID := fs.String("oidc-client-id", "", "the OIDC client ID")
	clientSecretStdin := fs.Bool("oidc-client-secret-stdin", false, "read the OIDC client secret from standard input (the line after the SSO secret, if both)")
	roleClaim := fs.String("oidc-role-claim", "", `the ID-token claim naming groups or roles (default "groups")`)
	var roles stringList
	fs.Var(&roles, "oidc-role", "VALUE=ROLE: a role-claim value and the role it gives (admin, moderator, author); repeatable, replaces the mapping")
	label := fs.String("oidc-label", "", `the sign-in button's text, e.g. "Gazette staff account"`)
	var scopes stringList
	fs.Var(&scopes, "oidc-scope", "an extra scope to request (repeatable; default email and profile)")
	oidcOff := fs.Bool("oidc-off", false, "turn OIDC off")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *siteID == "" {
		return errorf(ctx, "cli.err.required", "--site")
	}
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.SiteAuth(ctx, nil, *siteID)
	if err != nil {
		return err
	}
	changed := false
	in := bufio.NewReader(stdin)
	readLine := func(what string) (string, error) {
		line, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return "", errorf(ctx, "cli.err.read", what, err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	setSSOKey := func(c parley.SSOConfig) { a.SSO, changed = c, true }
	if *ssoOff {
		a.SSO, changed = parley.SSOConfig{}, true
	}
	if *ssoSecretStdin {
		secret, err := readLine("SSO secret")
		if err != nil {
			return err
		}
		setSSOKey(parley.SSOConfig{Secret: secret})
	}
	if *ssoKeyFile != "" {
		b, err := os.ReadFile(*ssoKeyFile)
		if err != nil {
			return err
		}
		setSSOKey(parley.SSOConfig{PublicKey: string(b)})
	}
	if *ssoJWKS != "" {
		setSSOKey(parley.SSOConfig{JWKSURL: *ssoJWKS})
	}
	if *oidcOff {
		a.OIDC, changed = parley.OIDCConfig{}, true
	}
	for flagVal, field := range map[string]*string{*issuer: &a.OIDC.Issuer, *clientID: &a.OIDC.ClientID, *roleClaim: &a.OIDC.RoleClaim, *label: &a.OIDC.Label} {
		if flagVal != "" {
			*field, changed = flagVal, true
		}
	}
	if *clientSecretStdin {
		if a.OIDC.ClientSecret, err = readLine("OIDC client secret"); err != nil {
			return err
		}
		changed = true
	}
	if len(scopes) > 0 {
		a.OIDC.Scopes, changed = scopes, true
	}
	if len(roles) > 0 {
		a.OIDC.Roles, changed = map[string]parley.Role{}, true
		for _, r := range roles {
			v, role, ok := strings.Cut(r, "=")
			if !ok {
				return errorf(ctx, "cli.err.oidc_role", r)
			}
			a.OIDC.Roles[v] = parley.Role(role)
		}
	}
	if changed {
		if err := svc.SetSiteAuth(ctx, nil, a); err != nil {
			return err
		}
	}
	// Show the configuration with secrets withheld.
	view := *a
	view.SSO.Secret, view.OIDC.ClientSecret = mask(a.SSO.Secret), mask(a.OIDC.ClientSecret)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(view)
}

// mask hides a secret, saying only whether one is set.
func mask(s string) string {
	if s == "" {
		return ""
	}
	return "(set)"
}
