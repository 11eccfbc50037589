package main

import (
	"context"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "0": 0, "0d": 0, "720h": 720 * time.Hour, " 7d ": 7 * 24 * time.Hour} {
		if got, err := parseRetention(context.Background(), in); err != nil || got != want {
			t.Errorf("parseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1d", "ninety", "90days", "-5h"} {
		if _, err := parseRetention(context.Background(), in); err == nil {
			t.Errorf("parseRetention(%q) accepted", in)
		}
	}
}
