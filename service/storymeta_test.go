package service_test

import (
	"context"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// TestStoryMetadataComesFromStaff: a story URL must be on the site's
// origins; a reader's title is a suggestion nobody sees until a comment
// is approved or staff confirm it; staff can change and lock both.
func TestStoryMetadataComesFromStaff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	for _, u := range []string{"https://evil.example/news", "http://news.example/a", "https://news.example.evil.example/a"} {
		_, err := f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: u, GuestName: "Reader", Body: "Hello there."})
		if !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("story on %s: %v, want invalid", u, err)
		}
	}

	const evil = `<img src=x onerror=alert(1)> Free money`
	r, err := f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: "https://news.example/real", StoryTitle: evil,
		GuestName: "Reader", Body: "A pending comment."})
	if err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.Thread(ctx, service.Author{}, service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/real"})
	if err != nil || page.Title != "" || page.Story.Locked {
		t.Fatalf("a suggested title is public before anything is approved: %q %v", page.Title, err)
	}
	if _, err := f.svc.Decide(ctx, f.mod, r.Comment.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if page, _ = f.svc.Thread(ctx, service.Author{}, service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/real"}); page.Title != evil {
		t.Fatalf("after an approval the title is %q", page.Title)
	}

	// Staff rename and move it; the story is locked and the title public.
	title, moved := "The real article", "https://news.example/real-article#c1"
	st, err := f.svc.UpdateStory(ctx, f.mod, r.Comment.StoryID, service.StorySettings{Title: &title, URL: &moved})
	if err != nil || !st.Locked || st.Title != title || st.URL != "https://news.example/real-article" {
		t.Fatalf("staff edit: %+v %v", st, err)
	}
	off := "https://evil.example/x"
	if _, err := f.svc.UpdateStory(ctx, f.mod, st.ID, service.StorySettings{URL: &off}); !parley.IsCode(err, parley.EINVALID) {
		t.Fatalf("staff moving a story off the site: %v", err)
	}
	// A reader's later title does not change a locked story.
	if _, err := f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: "https://news.example/real-article", StoryTitle: "t",
		GuestName: "Reader", Body: "Another one."}); err != nil {
		t.Fatal(err)
	}
	page, _ = f.svc.Thread(ctx, service.Author{}, service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/real-article"})
	if page.Title != title {
		t.Fatalf("title after a reader's post: %q", page.Title)
	}
	// A reader cannot edit stories.
	reader, err := f.svc.CreateUser(ctx, "reader@example.org", "Reader", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateStory(ctx, reader, st.ID, service.StorySettings{Title: &title}); !parley.IsCode(err, parley.EFORBIDDEN) {
		t.Fatalf("a reader renaming a story: %v", err)
	}
}
