package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// TestNamesThatLieAreCleanedOrRefused: control, bidi and zero-width
// characters never reach a stored name, and a guest cannot take a name that
// looks like a staff member's or a signed-in commenter's on the site.
func TestNamesThatLieAreCleanedOrRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{}) // staff: "Mod", admin of news
	ctx := context.Background()
	post := func(name, body string) (*service.PostResult, error) {
		return f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: "https://news.example/names", GuestName: name, Body: body})
	}
	for raw, want := range map[string]string{"Rob\u202egnp.exe": "Robgnp.exe", "Ann\r\nSmith\x00": "Ann Smith", "Zoe\u200d\u2066": "Zoe"} {
		r, err := post(raw, "A comment by "+want+".")
		if err != nil || r.Comment.AuthorName != want {
			t.Fatalf("name %q stored as %+v, %v; want %q", raw, r, err, want)
		}
	}
	if _, err := post("\u200b\u202e\u2066", "Invisible name."); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("an invisible name: %v", err)
	}
	if _, err := post(strings.Repeat("n", service.MaxNameChars+1), "Long name."); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("a long name: %v", err)
	}

	// Staff names and their look-alikes are refused to guests.
	for _, name := range []string{"Mod", "M\u200bod", "МОD", "mod", "M0d"} {
		_, err := post(name, "Pretending to be staff: "+name)
		if !parley.IsCode(err, parley.EINVALID) || !strings.Contains(parley.ErrorMessage(err), "staff") {
			t.Errorf("guest named %q: %v", name, err)
		}
	}
	// A signed-in commenter's name is protected once they comment.
	writer, err := f.svc.CreateUser(ctx, "ada@example.org", "Ada Lovelace", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := post("Ada Lovelace", "Before Ada commented, the name was free."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Post(ctx, service.Author{User: writer, ClientKey: "k"}, service.PostInput{SiteID: "news",
		StoryURL: "https://news.example/names", Body: "Signed-in comment."}); err != nil {
		t.Fatal(err)
	}
	if _, err := post("Аda Lоvelace", "A look-alike of a signed-in commenter."); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("look-alike of a signed-in commenter: %v", err)
	}
	// Account names are cleaned too.
	u, err := f.svc.CreateUser(ctx, "eve@example.org", "Eve\u202e\r\n", "long enough password")
	if err != nil || u.Name != "Eve" {
		t.Fatalf("account name: %+v %v", u, err)
	}
}
