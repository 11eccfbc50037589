package modui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// countingEnv is the dashboard mounted behind the API's handler, as
// cmd/parley wires it, over a store that counts its calls; the classifier
// and the site adapter are the real ones, so a decision also learns.
func countingEnv(t *testing.T) (*env, *testutil.CountingStore, *UI) {
	t.Helper()
	model, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	store := testutil.NewCountingStore(sqltest.OpenSQLite(t))
	svc := service.New(service.Options{Passwords: service.CheapPasswordHasher, Store: store, Clock: parley.SystemClock{},
		Classifier: model, Adapter: adapter.Adapter{}})
	api := httpapi.New(httpapi.Config{Service: svc, Bus: events.New()})
	t.Cleanup(api.Close)
	ui, err := New(Config{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	ui.Routes(api.Mux())
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, svc: svc, srv: srv, ctx: context.Background(), site: "alpha"}
	if _, err := svc.CreateSite(e.ctx, "alpha", "Alpha", []string{"https://alpha.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(e.ctx, "mod@alpha.example", "Mod", testPassword); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRole(e.ctx, "alpha", "mod@alpha.example", parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	return e, store, ui
}

// TestDashboardDecisionIsAtMostFiveStoreCalls counts the store calls of one
// keyboard decision in the dashboard (the JSON form the script sends, with
// the tab counts in the answer): the session with its user, the role, the
// site, one transaction, and one counting query.
func TestDashboardDecisionIsAtMostFiveStoreCalls(t *testing.T) {
	t.Parallel()
	e, store, _ := countingEnv(t)
	mod := e.login("mod@alpha.example")
	c := e.comment("alpha", "s1", "A reader's perfectly civil comment.", "g@example.org")
	pending := e.comment("alpha", "s1", "Another civil comment, still pending.", "h@example.org")

	store.Reset()
	res, body := mod.post("/moderation/s/alpha/decide", url.Values{"csrf_token": {mod.csrf}, "id": {c.ID},
		"version": {strconv.Itoa(c.Version)}, "action": {"approve"}}, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("decide: %d %s", res.StatusCode, body)
	}
	top, inTx, calls := store.Calls()
	t.Logf("one decision: %d store calls, %d statements inside its transaction: %v", top, inTx, calls)
	if top > 5 {
		t.Fatalf("one decision made %d store calls, want at most 5: %v", top, calls)
	}
	for _, name := range []string{"GetSessionUser", "InTx", "CountQueue", "tx:UpdateComment", "tx:AppendAudit"} {
		if !strings.Contains(strings.Join(calls, " "), name) {
			t.Errorf("no %s call among %v", name, calls)
		}
	}
	var out struct{ Counts map[string]int }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Counts["approved"] != 1 || out.Counts["pending"] != 1 {
		t.Fatalf("counts in the answer: %s", body)
	}

	// The tab counts alone: one counting query besides the session and
	// scope, never a queue page.
	store.Reset()
	if res, body := mod.get("/moderation/s/alpha/counts"); res.StatusCode != http.StatusOK || !strings.Contains(body, `"pending":1`) {
		t.Fatalf("counts: %d %s", res.StatusCode, body)
	}
	if _, _, calls := store.Calls(); strings.Count(strings.Join(calls, " "), "CountQueue") != 1 || strings.Contains(strings.Join(calls, " "), "ListQueue") {
		t.Fatalf("counts made %v", calls)
	}
	_ = pending
}

// TestLiveEventIsComputedOncePerInstance opens many dashboard tabs'
// requests for one live event (the changed item and the tab counts) and
// checks that the item and the counts were computed once, not once per tab,
// and that a later event is not answered from the earlier computation.
func TestLiveEventIsComputedOncePerInstance(t *testing.T) {
	t.Parallel()
	e, store, ui := countingEnv(t)
	mod := e.login("mod@alpha.example")
	c := e.comment("alpha", "s1", "A comment that arrives live.", "g@example.org")
	// The shared answers' clock stands still, so that a slow machine does
	// not let them expire between the tabs' requests.
	frozen := time.Now()
	ui.live.now = func() time.Time { return frozen }
	got, err := e.svc.Store().GetComment(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	at := got.CreatedAt.Format("2006-01-02T15:04:05.999999999Z07:00")

	const tabs = 8
	store.Reset()
	var wg sync.WaitGroup
	for i := 0; i < tabs; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			res, body := mod.get("/moderation/s/alpha/items/" + c.ID + "?status=pending&since=" + url.QueryEscape(at))
			if res.StatusCode != http.StatusOK || !strings.Contains(body, c.ID) {
				t.Errorf("item: %d", res.StatusCode)
			}
		}()
		go func() {
			defer wg.Done()
			if res, body := mod.get("/moderation/s/alpha/counts?since=" + url.QueryEscape(at)); res.StatusCode != http.StatusOK || !strings.Contains(body, `"pending":1`) {
				t.Errorf("counts: %d %s", res.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	_, _, calls := store.Calls()
	joined := strings.Join(calls, " ")
	if n := strings.Count(joined, "GetStory"); n != 1 {
		t.Errorf("the item was computed %d times for %d tabs: %v", n, tabs, calls)
	}
	if n := strings.Count(joined, "CountQueue"); n != 1 {
		t.Errorf("the counts were computed %d times for %d tabs", n, tabs)
	}

	// A decision (an event on this instance) makes the next answer fresh.
	if _, err := e.svc.Decide(e.ctx, mustUser(t, e, "mod@alpha.example"), c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if res, _ := mod.get("/moderation/s/alpha/items/" + c.ID + "?status=pending"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("a decided comment is still offered to the pending view: %d", res.StatusCode)
	}
	if _, body := mod.get("/moderation/s/alpha/counts"); !strings.Contains(body, `"approved":1`) || strings.Contains(body, `"pending":1`) {
		t.Fatalf("stale counts after a decision: %s", body)
	}
	// A moderator of no site gets nothing from what another computed.
	jar, _ := cookiejar.New(nil)
	anon := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := anon.Get(e.srv.URL + "/moderation/s/alpha/items/" + c.ID)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a guest got the item: %d", res.StatusCode)
	}
}
