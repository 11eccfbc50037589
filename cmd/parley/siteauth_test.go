package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSiteAuthCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, _, err := runCLI(t, "", "migrate", "--data", data); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", "site", "add", "--data", data, "--id", "gazette", "--name", "The Gazette", "--origin", "https://www.gazette.example"); err != nil {
		t.Fatal(err)
	}
	secret := "a-newsroom-secret-of-at-least-32-bytes!"
	out, _, err := runCLI(t, secret+"\nclient-secret\n", "site", "auth", "--data", data, "--site", "gazette", "--sso-secret-stdin",
		"--oidc-issuer", "https://login.gazette.example", "--oidc-client-id", "parley",
		"--oidc-client-secret-stdin", "--oidc-role", "desk=moderator", "--oidc-role", "newsroom=author", "--oidc-label", "Gazette account")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, secret) || strings.Contains(out, "client-secret") {
		t.Fatalf("secrets printed: %s", out)
	}
	var got struct {
		SSO  map[string]any `json:"sso"`
		OIDC map[string]any `json:"oidc"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.SSO["secret"] != "(set)" || got.OIDC["client_secret"] != "(set)" ||
		got.OIDC["roles"].(map[string]any)["desk"] != "moderator" || got.OIDC["label"] != "Gazette account" {
		t.Fatalf("configuration: %s", out)
	}
	// Show without changes; then refusals.
	if again, _, err := runCLI(t, "", "site", "auth", "--data", data, "--site", "gazette"); err != nil || again != out {
		t.Fatalf("show: %v\n%s\nwant\n%s", err, again, out)
	}
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"short\n", []string{"--sso-secret-stdin"}, "at least 32 bytes"},
		{"", []string{"--sso-jwks-url", "ftp://keys.example/jwks"}, "https://"},
		{"", []string{"--oidc-role", "desk=owner"}, "admin, moderator or author"},
		{"", []string{"--oidc-role", "desk"}, "VALUE=ROLE"},
	} {
		_, _, err := runCLI(t, tc.stdin, append([]string{"site", "auth", "--data", data, "--site", "gazette"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	off, _, err := runCLI(t, "", "site", "auth", "--data", data, "--site", "gazette", "--sso-off", "--oidc-off")
	if err != nil || strings.Contains(off, "(set)") {
		t.Fatalf("off: %v %s", err, off)
	}
}
