package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/service"
)

// The demo shows Parley on a first run: a multilingual thread with replies
// and badges, a queue with flagged comments of every kind in every
// language, a moderator who is only a moderator and a separate admin, and
// logins that can be found again.
func TestDemoSeedsAThreadAndAQueue(t *testing.T) {
	ctx := context.Background()
	dbf := dbFlags{data: t.TempDir()}
	db, err := dbf.open(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	classifier, err := loadClassifier()
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, Classifier: classifier,
		Index: dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow}), RateLimits: service.DefaultRateLimits})
	logins := filepath.Join(dbf.data, "demo-logins.txt")
	var out bytes.Buffer
	if err := setupDemo(ctx, svc, "http://127.0.0.1:8080", logins, true, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), logins) || !strings.Contains(out.String(), "parley user reset-password --email moderator@demo.example") {
		t.Errorf("the demo does not say where its logins are:\n%s", out.String())
	}
	b, err := os.ReadFile(logins)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(logins); fi.Mode().Perm() != 0o600 {
		t.Errorf("logins file mode %v", fi.Mode().Perm())
	}
	m := regexp.MustCompile(`moderator\s+moderator@demo\.example / (\S+)\n`).FindSubmatch(b)
	if m == nil || !regexp.MustCompile(`admin\s+admin@demo\.example / \S+\n`).Match(b) {
		t.Fatalf("logins file:\n%s", b)
	}
	_, _, mod, err := svc.Login(ctx, "moderator@demo.example", string(m[1]), "127.0.0.1")
	if err != nil {
		t.Fatalf("the printed moderator login does not work: %v", err)
	}
	if role, _ := svc.Role(ctx, mod, demoSiteID); role != parley.RoleModerator {
		t.Errorf("the demo moderator is %q, want moderator", role)
	}

	// The thread: approved, replies, the author and staff badges.
	page, err := svc.Thread(ctx, service.Author{ClientKey: "x"}, service.ThreadInput{SiteID: demoSiteID, StoryURL: demoStoryURL})
	if err != nil {
		t.Fatal(err)
	}
	replies, langs := 0, map[string]bool{}
	for _, c := range page.Comments {
		if c.ParentID != "" {
			replies++
		}
		langs[c.Language] = true
	}
	if len(page.Comments) != len(demoThread) || replies < 3 {
		t.Errorf("thread: %d comments, %d replies", len(page.Comments), replies)
	}
	for _, l := range []string{"en", "ru", "hy", "az", "tr"} {
		if !langs[l] {
			t.Errorf("no %s comment in the thread (%v)", l, langs)
		}
	}
	badges := map[string]bool{}
	for _, b := range page.Badges {
		badges[string(b)] = true
	}
	if !badges["author"] || !badges["staff"] {
		t.Errorf("badges: %v", page.Badges)
	}

	// The queue: every kind of flag in every language, with evidence.
	q, err := svc.Queue(ctx, mod, parley.QueueFilter{SiteID: demoSiteID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	clustered, resubmitted := false, false
	for _, it := range q.Items {
		c := it.Comment
		if c.SuggestedReason != "" {
			if len(c.Evidence) == 0 {
				t.Errorf("flagged without evidence: %q", c.Body)
			}
			kinds[string(c.SuggestedReason)+"/"+c.Language] = true
		}
		clustered = clustered || c.ClusterID != ""
		resubmitted = resubmitted || c.Resubmits > 0
	}
	for _, r := range []string{"personal_attack", "hate_speech", "obscenity", "spam"} {
		for _, l := range []string{"en", "ru", "hy", "az", "tr"} {
			if !kinds[r+"/"+l] {
				t.Errorf("no %s comment in %s in the queue", r, l)
			}
		}
	}
	if !clustered || !resubmitted || q.Counts[parley.CountReported] != 1 {
		t.Errorf("cluster %v, resubmission %v, reported %d", clustered, resubmitted, q.Counts[parley.CountReported])
	}
	low, err := svc.LowRiskQueue(ctx, mod, demoSiteID)
	if err != nil || len(low.Items) == 0 {
		t.Errorf("the low-risk lane is empty: %v", err)
	}

	// A second start keeps everything and says where the logins are.
	out.Reset()
	if err := setupDemo(ctx, svc, "http://127.0.0.1:8080", logins, true, &out); err != nil || !strings.Contains(out.String(), logins) {
		t.Fatalf("second start: %v\n%s", err, out.String())
	}
	db.Close()

	// A lost login comes back with reset-password.
	res, _, err := runCLI(t, "", "user", "reset-password", "--data", dbf.data, "--email", "admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	pw := regexp.MustCompile(`new password of admin@demo\.example: (\S+)`).FindStringSubmatch(res)
	if pw == nil {
		t.Fatalf("reset-password output: %q", res)
	}
	if _, _, err := runCLI(t, "short\n", "user", "reset-password", "--data", dbf.data, "--email", "admin@demo.example", "--password-stdin"); err == nil {
		t.Error("a short password was accepted")
	}
	if _, _, err := runCLI(t, "", "user", "reset-password", "--data", dbf.data, "--email", "nobody@demo.example"); err == nil || !strings.Contains(err.Error(), "No user") {
		t.Errorf("unknown user: %v", err)
	}
	db2, err := dbf.open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	svc2 := service.New(service.Options{Store: db2, Clock: parley.SystemClock{}})
	if _, _, _, err := svc2.Login(ctx, "admin@demo.example", pw[1], "127.0.0.1"); err != nil {
		t.Errorf("the new admin password does not work: %v", err)
	}
}
