package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/xsscheck"
	"github.com/parley-comments/parley/service"
)

// TestHiddenAfterReportsIsAnnouncedToPublicHooks: a site hides a comment
// after two reports. Public-facing hooks hear the first report while the
// comment is published, then comment.hidden when it leaves the public
// thread, carrying no text, author or URL (the text is a stored-XSS
// payload, so a leak would also show as markup); they hear nothing more
// until a moderator keeps it (comment.approved). Moderator-facing hooks
// hear both reports and the hiding, with the text.
func TestHiddenAfterReportsIsAnnouncedToPublicHooks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	f.changeSettings(func(st *parley.Settings) { st.HideAfterReports = 2 })
	pub, mods := f.twoHooks()
	payload := xsscheck.Corpus(t)[2] // <img src=x onerror=alert(1)>
	res, err := f.svc.Post(ctx, service.Author{ClientIP: "203.0.113.5", ClientKey: "203.0.113.5", GuestToken: "pg_author"},
		service.PostInput{SiteID: "news", StoryURL: "https://news.example/hidden", Body: "Hiddentext " + payload, GuestName: "Hiddenauthor", ComposeMillis: 20000})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Comment
	f.clock.Add(time.Second)
	if _, err := f.svc.Decide(ctx, f.mod, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	for i, who := range []string{"pg_r1", "pg_r2"} {
		f.clock.Add(time.Second)
		if _, err := f.svc.Report(ctx, service.Author{GuestToken: who, ClientKey: "198.51.100." + who[4:]}, c.ID, parley.ReasonSpam, "Reportnote"); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	got, err := f.svc.Comment(ctx, f.mod, c.ID)
	if err != nil || got.Status != parley.StatusPending {
		t.Fatalf("after two reports the comment is %v (%v), want hidden (pending)", got.Status, err)
	}
	pubEvents, pubBodies := hookBodies(t, f, pub.ID)
	if want := []string{"comment.approved", "comment.reported", "comment.hidden"}; !slices.Equal(pubEvents, want) {
		t.Fatalf("public events %v, want %v", pubEvents, want)
	}
	var hidden struct {
		Comment map[string]any
		Report  map[string]any
	}
	if err := json.Unmarshal([]byte(pubBodies[2]), &hidden); err != nil {
		t.Fatal(err)
	}
	if hidden.Comment["id"] != c.ID || hidden.Comment["status"] != "pending" || hidden.Report["count"] != 2.0 {
		t.Errorf("comment.hidden: %s", pubBodies[2])
	}
	for _, k := range []string{"text", "html", "author", "url"} {
		if _, ok := hidden.Comment[k]; ok {
			t.Errorf("the public comment.hidden carries comment.%s: %s", k, pubBodies[2])
		}
	}
	for _, s := range []string{"Hiddentext", "Hiddenauthor", "Reportnote", "onerror"} {
		if strings.Contains(pubBodies[2], s) {
			t.Errorf("the public comment.hidden contains %q", s)
		}
	}
	modEvents, mb := hookBodies(t, f, mods.ID)
	for _, b := range append(pubBodies, mb...) {
		for _, p := range xsscheck.WebhookProblems([]byte(b)) {
			t.Errorf("delivery: %s", p)
		}
	}
	if want := []string{"comment.created", "comment.approved", "comment.reported", "comment.reported", "comment.hidden"}; !slices.Equal(modEvents, want) {
		t.Fatalf("moderator events %v, want %v", modEvents, want)
	}
	if !strings.Contains(mb[4], "Hiddentext") {
		t.Errorf("the moderator-facing comment.hidden lacks the text: %s", mb[4])
	}
	// A moderator keeps it: public hooks hear it is back.
	f.clock.Add(time.Second)
	if _, err := f.svc.Decide(ctx, f.mod, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if pubEvents, _ = hookBodies(t, f, pub.ID); pubEvents[len(pubEvents)-1] != "comment.approved" {
		t.Errorf("public events after keeping it: %v", pubEvents)
	}
}
