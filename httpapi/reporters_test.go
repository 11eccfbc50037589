package httpapi_test

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestSanctionReporterAPI: a moderator of the report's site, and only
// one, can take away a reader's right to report through the JSON API; the
// reader's open reports leave the Reported queue, their next report is
// refused, a cookie session needs the CSRF header, and the answer never
// names the reporter. On SQLite and PostgreSQL.
func TestSanctionReporterAPI(t *testing.T) {
	t.Parallel()
	for _, be := range sqltest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnvOn(t, be.Open(t), service.RateLimits{})
			const abuser, other = "pg_abuser_token", "pg_other_token"
			var ids []string
			for _, body := range []string{"A fair comment on the timetable", "Another fair comment about the stops"} {
				id, _ := e.post(body, nil)
				if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...); r.status != 200 {
					t.Fatalf("approve: %d %s", r.status, r.body)
				}
				ids = append(ids, id)
			}
			report := func(id, guest string) {
				t.Helper()
				r := e.do("POST", "/api/v1/comments/"+id+"/report", map[string]any{"reason": "hate_speech", "note": "not really"}, "X-Parley-Guest-Token", guest)
				if r.status != 201 {
					t.Fatalf("report: %d %s", r.status, r.body)
				}
			}
			report(ids[0], abuser)
			report(ids[1], abuser)
			report(ids[1], other)
			d := e.do("GET", "/api/v1/moderation/comments/"+ids[0], nil, e.bearer("mod")...)
			reps, _ := d.json["reports"].([]any)
			if len(reps) != 1 {
				t.Fatalf("reports: %s", d.body)
			}
			rep, _ := reps[0].(map[string]any)["id"].(string)
			path := "/api/v1/moderation/reports/" + rep + "/sanction-reporter"
			body := map[string]any{"reason": "Reports every comment as hate speech."}

			// Refused: nobody signed in, an author of the site, a moderator of another site.
			if r := e.do("POST", path, body); r.status != 401 {
				t.Fatalf("anonymous: %d %s", r.status, r.body)
			}
			for _, who := range []string{"author", "othermod"} {
				if r := e.do("POST", path, body, e.bearer(who)...); r.status != 403 {
					t.Fatalf("%s: %d %s", who, r.status, r.body)
				}
			}
			if r := e.do("POST", "/api/v1/moderation/reports/01NOSUCHREPORT000000000000/sanction-reporter", body, e.bearer("mod")...); r.status != 404 {
				t.Fatalf("unknown report: %d %s", r.status, r.body)
			}
			// A cookie session without the CSRF header, or from another origin, changes nothing.
			login := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "mod@example.com", "password": "correct horse battery"})
			var cookie string
			for _, c := range login.header.Values("Set-Cookie") {
				if strings.HasPrefix(c, httpapi.SessionCookie+"=") {
					cookie = strings.SplitN(c, ";", 2)[0]
				}
			}
			csrf, _ := login.json["csrf_token"].(string)
			if cookie == "" || csrf == "" {
				t.Fatalf("login: %d %s", login.status, login.body)
			}
			if r := e.do("POST", path, body, "Cookie", cookie); r.status != 403 {
				t.Fatalf("cookie without CSRF: %d %s", r.status, r.body)
			}
			if r := e.do("POST", path, body, "Cookie", cookie, "X-CSRF-Token", csrf, "Origin", "https://evil.example"); r.status != 403 {
				t.Fatalf("cookie from another origin: %d %s", r.status, r.body)
			}
			if r := e.do("GET", "/api/v1/moderation/queue?site=a&status=approved&reported=1", nil, e.bearer("mod")...); len(r.json["comments"].([]any)) != 2 {
				t.Fatalf("a refused sanction changed the Reported queue: %s", r.body)
			}

			// The moderator of the site, with the CSRF header on a cookie session.
			r := e.do("POST", path, body, "Cookie", cookie, "X-CSRF-Token", csrf)
			if r.status != 201 {
				t.Fatalf("sanction: %d %s", r.status, r.body)
			}
			sn := r.json["sanction"].(map[string]any)
			if sn["kind"] != "no_reports" || sn["site_id"] != "a" || sn["reason"] != body["reason"] || sn["id"] == "" {
				t.Fatalf("sanction: %s", r.body)
			}
			if strings.Contains(string(r.body), abuser) || strings.Contains(string(r.body), "author_key") {
				t.Fatalf("the answer names the reporter: %s", r.body)
			}
			// Only the other reader's report is left open: the first comment
			// leaves the Reported queue, the second stays with one report.
			q := e.do("GET", "/api/v1/moderation/queue?site=a&status=approved&reported=1", nil, e.bearer("mod")...)
			items := q.json["comments"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["id"] != ids[1] || items[0].(map[string]any)["report_count"] != float64(1) {
				t.Fatalf("reported queue after the sanction: %s", q.body)
			}
			// The sanctioned reader cannot report again; the other can.
			id3, _ := e.post("A third comment, approved later", nil)
			e.do("POST", "/api/v1/moderation/comments/"+id3+"/approve", nil, e.bearer("mod")...)
			if r := e.do("POST", "/api/v1/comments/"+id3+"/report", map[string]any{"reason": "spam"}, "X-Parley-Guest-Token", abuser); r.status != 403 {
				t.Fatalf("a sanctioned reporter reports: %d %s", r.status, r.body)
			}
			report(id3, other)
			// Once is enough: a second call answers with the same sanction.
			if r := e.do("POST", path, nil, e.bearer("mod")...); r.status != 201 || r.json["sanction"].(map[string]any)["id"] != sn["id"] {
				t.Fatalf("second sanction: %d %s (first %v)", r.status, r.body, sn["id"])
			}
			if l := e.do("GET", "/api/v1/moderation/sanctions?site=a", nil, e.bearer("mod")...); strings.Count(string(l.body), "no_reports") != 1 {
				t.Fatalf("sanctions: %s", l.body)
			}
			// Both calls are logged.
			a := e.do("GET", "/api/v1/moderation/audit?site=a&action=sanction_no_reports", nil, e.bearer("mod")...)
			if entries, _ := a.json["entries"].([]any); len(entries) != 2 {
				t.Fatalf("audit: %s", a.body)
			}
		})
	}
}
