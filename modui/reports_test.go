package modui

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// The Reported queue shows every open report with its reason, note and
// time, grouped by reason; Keep dismisses them and resets the count; the
// reporter can be sanctioned from the item.
func TestReportedQueueShowsReportsAndActions(t *testing.T) {
	e := newEnv(t)
	c := e.comment("alpha", "a1", "A published comment that readers dislike.", "g1@example.org")
	mod := e.login("mod@alpha.example")
	modUser := mustUser(t, e, "mod@alpha.example")
	if _, err := e.svc.Decide(e.ctx, modUser, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	notes := []string{"calls me an idiot", "", "buy my course"}
	reasons := []parley.Reason{parley.ReasonPersonalAttack, parley.ReasonPersonalAttack, parley.ReasonSpam}
	for i := range notes {
		if _, err := e.svc.Report(e.ctx, service.Author{GuestToken: fmt.Sprintf("pg_r%d", i), ClientKey: fmt.Sprintf("198.51.100.%d", i)}, c.ID, reasons[i], notes[i]); err != nil {
			t.Fatal(err)
		}
	}
	_, body := mod.get("/moderation/s/alpha?status=reported")
	for _, want := range []string{"Reported by readers 3 times", `data-reason="personal_attack"`, `<span class="count">2</span>`,
		`data-reason="spam"`, "calls me an idiot", "buy my course", "a guest reader", "Keep, dismiss reports", "Stop this reader reporting"} {
		if !strings.Contains(body, want) {
			t.Errorf("reported item lacks %q", want)
		}
	}
	if strings.Index(body, `data-reason="personal_attack"`) > strings.Index(body, `data-reason="spam"`) {
		t.Error("the larger group is not first")
	}
	if strings.Contains(body, "198.51.100.") {
		t.Error("a reporter's address is on the page")
	}
	// In Russian, with Russian plural forms.
	if _, body := mod.get("/moderation/s/alpha?status=reported&lang=ru"); !strings.Contains(body, "Читатели пожаловались 3 раза") {
		t.Error("Russian plural for 3 reports is missing")
	}
	mod.get("/moderation/s/alpha?lang=en")

	// Sanction the reporter of the spam report: that report is dismissed.
	spamID := regexp.MustCompile(`data-reason="spam">[\s\S]*?data-report="([0-9A-Z]+)"`).FindStringSubmatch(body)
	if spamID == nil {
		t.Fatal("no report id on the page")
	}
	res, _ := mod.post("/moderation/s/alpha/reports/"+spamID[1]+"/sanction", url.Values{"csrf_token": {mod.csrf}, "back": {"/moderation/s/alpha?status=reported"}}, false)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=reporter_sanctioned") {
		t.Fatalf("sanction reporter: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = mod.get("/moderation/s/alpha?status=reported&done=reporter_sanctioned")
	if !strings.Contains(body, "Reported by readers 2 times") || strings.Contains(body, "buy my course") {
		t.Error("the sanctioned reporter's report is still open")
	}
	if !strings.Contains(body, "The reader can no longer report comments") {
		t.Error("no confirmation")
	}
	// Another site's moderator cannot use the route.
	other := e.login("mod@beta.example")
	if res, _ := other.post("/moderation/s/alpha/reports/"+spamID[1]+"/sanction", url.Values{"csrf_token": {other.csrf}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("another site's moderator: %d", res.StatusCode)
	}

	// Keep: the comment stays approved and leaves the Reported queue.
	cur, err := e.svc.Comment(e.ctx, modUser, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, _ = mod.post("/moderation/s/alpha/decide", url.Values{"csrf_token": {mod.csrf}, "id": {c.ID}, "version": {fmt.Sprint(cur.Version)}, "action": {"approve"}}, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("keep: %d", res.StatusCode)
	}
	cur, _ = e.svc.Comment(e.ctx, modUser, c.ID)
	if cur.Status != parley.StatusApproved || cur.ReportCount != 0 {
		t.Fatalf("after keep: %s, %d reports", cur.Status, cur.ReportCount)
	}
	if _, body := mod.get("/moderation/s/alpha?status=reported"); strings.Contains(body, "readers dislike") || !strings.Contains(body, `data-count="reported">0<`) {
		t.Error("the kept comment is still in the Reported queue")
	}
}

// No reason is preselected unless the classifier suggests one, and each
// tab's bulk bar offers only the decisions that fit it.
func TestNoDefaultReasonAndFittingBulkActions(t *testing.T) {
	e := newEnv(t)
	e.comment("alpha", "a1", "A harmless comment about the weather.", "g1@example.org")
	mod := e.login("mod@alpha.example")
	_, body := mod.get("/moderation/s/alpha")
	if regexp.MustCompile(`<option value="[a-z_]+"[^>]* selected>`).MatchString(body[strings.Index(body, `id="queue"`):]) {
		t.Error("a reason is preselected for an unflagged comment")
	}
	if !strings.Contains(body, `<option value="" selected>Choose a reason</option>`) {
		t.Error("the bulk bar preselects a reason")
	}
	bar := func(status string) string {
		_, b := mod.get("/moderation/s/alpha?status=" + status)
		i := strings.Index(b, `id="bulk"`)
		return b[i : i+strings.Index(b[i:], "</form>")]
	}
	cases := map[string][]string{
		"pending":  {"approve", "reject", "spam"},
		"reported": {"approve", "reject", "spam"},
		"approved": {"reject", "spam"},
		"rejected": {"approve", "spam"},
		"spam":     {"approve", "reject"},
	}
	for status, want := range cases {
		b := bar(status)
		var got []string
		for _, m := range regexp.MustCompile(`name="action" value="(\w+)"`).FindAllStringSubmatch(b, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s bulk bar: %v, want %v", status, got, want)
		}
	}
	if !strings.Contains(bar("reported"), "Keep, dismiss reports") {
		t.Error("the Reported bulk bar does not say Keep")
	}
	// The server refuses a rejection without a reason.
	res, _ := mod.post("/moderation/s/alpha/bulk", url.Values{"csrf_token": {mod.csrf}, "action": {"reject"}, "ids": {"x"}}, true)
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
		t.Errorf("bulk reject without a reason: %d", res.StatusCode)
	}
}

func TestHideAfterReportsSetting(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin@both.example")
	res, _ := admin.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {admin.csrf}, "mode": {"pre"}, "hide_after_reports": {"3"}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	site, err := e.svc.Site(e.ctx, "alpha")
	if err != nil || site.Settings.HideAfterReports != 3 {
		t.Fatalf("setting: %+v %v", site.Settings, err)
	}
	if _, body := admin.get("/moderation/s/alpha/sanctions"); !strings.Contains(body, `name="hide_after_reports" min="0" max="1000" value="3"`) {
		t.Error("the form does not show the setting")
	}
	res, body := admin.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {admin.csrf}, "mode": {"pre"}, "hide_after_reports": {"many"}}, false)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "whole number") {
		t.Errorf("bad number: %d", res.StatusCode)
	}
}
