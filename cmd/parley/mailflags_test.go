package main

import (
	"context"
	"strings"
	"testing"
)

func TestMailFlagsAreChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  serveConfig
		want string
	}{
		{serveConfig{smtpURL: "smtp://mail.example:587"}, "--mail-from"},
		{serveConfig{publicURL: "ftp://comments.example"}, "--public-url"},
		{serveConfig{publicURL: "https://comments.example/some/path"}, "--public-url"},
		{serveConfig{smtpURL: "smtp://mail.example:587", mailFrom: "News <news@example.org>", publicURL: "https://comments.example"}, ""},
	} {
		tc.cfg.addr, tc.cfg.rateLimit, tc.cfg.secureCookies, tc.cfg.logFormat = "127.0.0.1:0", "on", "auto", "text"
		err := tc.cfg.validate(context.Background())
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want an error about %q", tc.cfg, err, tc.want)
		}
	}
	cfg := serveConfig{smtpURL: "http://mail.example", mailFrom: "news@example.org"}
	if err := setupMail(nil, cfg, nil); err == nil || !strings.Contains(err.Error(), "--smtp-url") {
		t.Errorf("an http:// SMTP URL: %v", err)
	}
}
