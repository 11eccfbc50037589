package readerui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

type env struct {
	t   *testing.T
	svc *service.Service
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	db := sqltest.OpenSQLite(t)
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, PublicURL: "https://comments.news.example"})
	ui, err := New(svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ui.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, s := range []string{"news", "other"} {
		if _, err := svc.CreateSite(context.Background(), s, strings.ToUpper(s), []string{"https://" + s + ".example"}); err != nil {
			t.Fatal(err)
		}
	}
	return &env{t: t, svc: svc, srv: srv}
}

// do sends a request without cookies, as a mail client does.
func (e *env) do(method, path, form string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(form))
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *env) post(site, email, body string) *parley.Comment {
	e.t.Helper()
	res, err := e.svc.Post(context.Background(), service.Author{ClientIP: "192.0.2.5", ClientKey: "192.0.2.5"}, service.PostInput{SiteID: site,
		StoryURL: "https://" + site + ".example/story", StoryTitle: "The story", Body: body, GuestName: "Reader", GuestEmail: email, ComposeMillis: 20000})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Comment
}

// TestOneClickUnsubscribeWithoutSignIn follows RFC 8058: GET shows a page
// and changes nothing; a cookie-less POST of List-Unsubscribe=One-Click
// unsubscribes. The settings, confirmation and mute links work the same
// way, and a bad token is a 404.
func TestOneClickUnsubscribeWithoutSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.post("news", "reader@example.org", "A comment that gets replies.")
	r, err := e.svc.Store().GetNotifyReader(ctx, "news", "reader@example.org")
	if err != nil {
		t.Fatal(err)
	}
	base := "/notify/" + r.Token
	mode := func() parley.NotifyMode {
		got, err := e.svc.Store().GetNotifyReader(ctx, "news", "reader@example.org")
		if err != nil {
			t.Fatal(err)
		}
		return got.Mode
	}
	if code, body := e.do("GET", base+"/unsubscribe", ""); code != 200 || !strings.Contains(body, "Unsubscribe") || mode() != parley.NotifyImmediate {
		t.Fatalf("GET unsubscribe: %d, mode %s", code, mode())
	}
	if code, body := e.do("POST", base+"/unsubscribe", "List-Unsubscribe=One-Click"); code != 200 || !strings.Contains(body, "no more mails from NEWS") || mode() != parley.NotifyOff {
		t.Fatalf("one-click POST: %d %s, mode %s", code, body, mode())
	}
	if code, _ := e.do("POST", base, url.Values{"mode": {"digest"}}.Encode()); code != http.StatusSeeOther || mode() != parley.NotifyDigest {
		t.Fatalf("set digest: %d, mode %s", code, mode())
	}
	if code, _ := e.do("POST", base, url.Values{"mode": {"sometimes"}}.Encode()); code != http.StatusUnprocessableEntity {
		t.Fatalf("bad mode: %d", code)
	}
	if code, _ := e.do("GET", base, ""); code != 200 {
		t.Fatalf("settings page: %d", code)
	}
	if code, _ := e.do("POST", base+"/mute/"+c.StoryID, "mute=1"); code != 200 {
		t.Fatalf("mute: %d", code)
	}
	if muted, _ := e.svc.Store().IsMuted(ctx, "news", "reader@example.org", c.StoryID); !muted {
		t.Fatal("not muted")
	}
	o := e.post("other", "someone@example.org", "A comment on the other site.")
	if code, _ := e.do("POST", base+"/mute/"+o.StoryID, "mute=1"); code != http.StatusNotFound {
		t.Fatalf("muting another site's story: %d", code)
	}
	for _, p := range []string{"/notify/pn_nope", "/notify/pn_nope/unsubscribe", "/privacy/pp_nope"} {
		if code, _ := e.do("GET", p, ""); code != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, code)
		}
	}
	if code, _ := e.do("POST", "/notify/pn_nope/unsubscribe", "List-Unsubscribe=One-Click"); code != http.StatusNotFound {
		t.Fatalf("unsubscribe with a bad token: %d", code)
	}
}

// mailedLink returns the newest privacy link mailed to addr, from the outbox.
func (e *env) mailedLink(addr string) string {
	e.t.Helper()
	ms, _, err := e.svc.Store().ListOutbox(context.Background(), parley.OutboxFilter{Kind: parley.OutboxEmail, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range ms {
		var mail parley.Email
		if json.Unmarshal(m.Payload, &mail) == nil && mail.To == addr {
			if l := regexp.MustCompile(`https://comments\.news\.example(/privacy/pp_[A-Za-z0-9_-]+)`).FindStringSubmatch(mail.Text); l != nil {
				return l[1]
			}
		}
	}
	e.t.Fatalf("no privacy link mailed to %s", addr)
	return ""
}

// TestPrivacyLinks: a commenter asks for their data and gets it through the
// mailed link; asks for erasure, and the erasure happens only on the
// confirming POST, once.
func TestPrivacyLinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := e.post("news", "leaver@example.org", "Everything I ever wrote here.")
	if err := e.svc.RequestPrivacy(ctx, "news", "Leaver@example.org", parley.PrivacyExport, "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	link := e.mailedLink("leaver@example.org")
	if code, body := e.do("GET", link, ""); code != 200 || !strings.Contains(body, "export.json") {
		t.Fatalf("export page: %d", code)
	}
	code, body := e.do("GET", link+"/export.json", "")
	var ex service.Export
	if code != 200 || json.Unmarshal([]byte(body), &ex) != nil || len(ex.Comments) != 1 || ex.Comments[0].ID != c.ID || ex.Comments[0].Status != parley.StatusPending {
		t.Fatalf("export: %d %s", code, body)
	}
	if code, _ := e.do("POST", link+"/erase", ""); code != http.StatusNotFound {
		t.Fatalf("an export link erased: %d", code)
	}
	// Unknown addresses get the same answer and no mail.
	if err := e.svc.RequestPrivacy(ctx, "news", "nobody@example.org", parley.PrivacyErase, "192.0.2.9"); err != nil {
		t.Fatal(err)
	}

	if err := e.svc.RequestPrivacy(ctx, "news", "leaver@example.org", parley.PrivacyErase, "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	link = e.mailedLink("leaver@example.org")
	if code, body := e.do("GET", link, ""); code != 200 || !strings.Contains(body, "Erase my data") {
		t.Fatalf("erase page: %d", code)
	}
	if _, err := e.svc.Store().GetComment(ctx, c.ID); err != nil {
		t.Fatalf("GET erased: %v", err)
	}
	if code, body := e.do("POST", link+"/erase", ""); code != 200 || !strings.Contains(body, "Comments deleted: 1") {
		t.Fatalf("erase: %d %s", code, body)
	}
	if _, err := e.svc.Store().GetComment(ctx, c.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("the comment survived: %v", err)
	}
	if code, _ := e.do("POST", link+"/erase", ""); code != http.StatusNotFound {
		t.Fatalf("the erasure link worked twice: %d", code)
	}
}
