package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestSignedInReaderGetsThePublicPageWithTheirOwnOverlay checks the thread a
// reader with a guest token gets (the cached public page with their own
// comments merged in) against what they must see: every approved comment,
// their approved one flagged as theirs with its edit awaiting review (and
// the published text), their pending and rejected ones (with the reason),
// in thread order, on the right page, and nobody else's pending text.
func TestSignedInReaderGetsThePublicPageWithTheirOwnOverlay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	approve := func(id string) {
		if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...); r.status != 200 {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
	}
	var order []string // every comment the reader may see; sorted by ID (thread order) below
	others := map[string]bool{}
	for i := 0; i < 3; i++ {
		id, _ := e.post(fmt.Sprintf("Another reader's comment number %d.", i), map[string]any{"author_email": fmt.Sprintf("o%d@example.org", i)})
		approve(id)
		order, others[id] = append(order, id), true
	}
	edited, tok := e.post("My first comment, approved and then edited.", map[string]any{"author_email": "me@example.org"})
	approve(edited)
	order = append(order, edited)
	for i := 3; i < 5; i++ {
		id, _ := e.post(fmt.Sprintf("Another reader's comment number %d.", i), map[string]any{"author_email": fmt.Sprintf("o%d@example.org", i)})
		approve(id)
		order, others[id] = append(order, id), true
	}
	mine := func(body string) string {
		r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": body, "author_name": "Me",
			"author_email": "me@example.org"}, "X-Parley-Guest-Token", tok)
		if r.status != 201 {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		return r.json["comment"].(map[string]any)["id"].(string)
	}
	pending := mine("My second comment, still pending.")
	order = append(order, pending)
	rejected := mine("My third comment, which will be rejected.")
	if r := e.do("POST", "/api/v1/moderation/comments/"+rejected+"/reject", map[string]any{"reason": "off_topic"}, e.bearer("mod")...); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	order = append(order, rejected)
	othersPending, _ := e.post("Someone else's pending comment.", map[string]any{"author_email": "x@example.org"})
	if r := e.do("PATCH", "/api/v1/comments/"+edited, map[string]any{"body": "My first comment, with an edit awaiting review."}, "X-Parley-Guest-Token", tok); r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	me := []string{"X-Parley-Guest-Token", tok}
	slices.Sort(order)

	// Anonymous: the public page, from the cache the second time.
	e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil)
	anon := e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil)
	if anon.header.Get("X-Parley-Cache") != "hit" {
		t.Fatalf("anonymous thread not cached: %q", anon.header.Get("X-Parley-Cache"))
	}
	if strings.Contains(string(anon.body), "still pending") || strings.Contains(string(anon.body), "rejected") ||
		strings.Contains(string(anon.body), "awaiting review") || strings.Contains(string(anon.body), "Someone else") {
		t.Fatalf("private text in the public thread: %s", anon.body)
	}

	// The reader, page by page (2 comments a page), and in one page.
	var paged []map[string]any
	cursor := ""
	for i := 0; ; i++ {
		r := e.do("GET", "/api/v1/comments?site=a&limit=2&story_url="+storyURL+"&cursor="+url.QueryEscape(cursor), nil, me...)
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", i, r.status, r.body)
		}
		for _, c := range r.json["comments"].([]any) {
			paged = append(paged, c.(map[string]any))
		}
		cursor, _ = r.json["next_cursor"].(string)
		if cursor == "" || i > 10 {
			break
		}
	}
	whole := e.thread(me...)
	for name, got := range map[string][]map[string]any{"paged": paged, "one page": whole} {
		var ids []string
		for _, c := range got {
			ids = append(ids, c["id"].(string))
		}
		if strings.Join(ids, ",") != strings.Join(order, ",") {
			t.Fatalf("%s: the reader sees %v, want %v", name, ids, order)
		}
		for _, c := range got {
			id := c["id"].(string)
			switch {
			case others[id]:
				if c["own"] == true || c["status"] != nil {
					t.Errorf("%s: another's comment %v", name, c)
				}
			case id == edited:
				if c["own"] != true || c["edit_pending"] != true || !strings.Contains(c["html"].(string), "approved and then edited") {
					t.Errorf("%s: the edited comment %v", name, c)
				}
			case id == pending:
				if c["own"] != true || c["status"] != "pending" || !strings.Contains(c["html"].(string), "still pending") {
					t.Errorf("%s: the pending comment %v", name, c)
				}
			case id == rejected:
				if c["own"] != true || c["status"] != "rejected" || c["reason"] != "off_topic" {
					t.Errorf("%s: the rejected comment %v", name, c)
				}
			}
		}
	}
	if findComment(whole, othersPending) != nil {
		t.Fatal("someone else's pending comment reached the reader")
	}
	// Newest first, the same comments in reverse.
	r := e.do("GET", "/api/v1/comments?site=a&sort=newest&story_url="+storyURL, nil, me...)
	var ids []string
	for _, c := range r.json["comments"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	if strings.Join(ids, ",") != strings.Join(order, ",") {
		t.Fatalf("newest first: %v", ids)
	}
}

// TestReaderOverlayFollowsTheirChanges reads a thread as a reader (which
// remembers their overlay with the cached page), then changes their own
// comments (a new one, a moderator's rejection) and reads again: each read
// shows the change at once.
func TestReaderOverlayFollowsTheirChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first, tok := e.post("My first comment on this story.", map[string]any{"author_email": "me@example.org"})
	me := []string{"X-Parley-Guest-Token", tok}
	read := func() map[string]string { // id → status as shown to the reader
		t.Helper()
		r := e.do("GET", "/api/v1/comments?site=a&story_url="+url.QueryEscape(storyURL), nil, me...)
		if r.status != 200 {
			t.Fatalf("read: %d %s", r.status, r.body)
		}
		out := map[string]string{}
		for _, c := range r.json["comments"].([]any) {
			m := c.(map[string]any)
			s, _ := m["status"].(string)
			out[m["id"].(string)] = s
		}
		return out
	}
	if got := read(); len(got) != 1 || got[first] != "pending" {
		t.Fatalf("first read: %v", got)
	}
	read() // from the cache
	r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "My second comment.",
		"author_name": "Me", "author_email": "me@example.org"}, me...)
	if r.status != 201 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	second := r.json["comment"].(map[string]any)["id"].(string)
	if got := read(); len(got) != 2 || got[second] != "pending" {
		t.Fatalf("after a second comment: %v", got)
	}
	if r := e.do("POST", "/api/v1/moderation/comments/"+first+"/reject", map[string]any{"reason": "off_topic"}, e.bearer("mod")...); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if got := read(); got[first] != "rejected" || got[second] != "pending" {
		t.Fatalf("after the rejection: %v", got)
	}
}
