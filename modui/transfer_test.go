package modui

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley/service"
)

// upload posts a file to the import form.
func (c *client) upload(path, format, file string) (*http.Response, string) {
	c.e.t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		c.e.t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", c.csrf)
	mw.WriteField("format", format)
	fw, _ := mw.CreateFormFile("file", "export.xml")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestDashboardImportJobAndExportDownload(t *testing.T) {
	e := newEnv(t)
	// The import worker that cmd/parley starts, with uploads kept here.
	e.svc.SetImportJobs(service.ImportJobOptions{Dir: t.TempDir(), Poll: 20 * time.Millisecond})
	wctx, stop := context.WithCancel(e.ctx)
	worker := make(chan error)
	go func() { worker <- e.svc.RunImportJobs(wctx) }()
	t.Cleanup(func() { stop(); <-worker })
	admin := e.login("admin@both.example")
	res, body := admin.get("/moderation/s/alpha/transfer")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("transfer page: %d", res.StatusCode)
	}
	res, _ = admin.upload("/moderation/s/alpha/import", "disqus", "../transfer/testdata/disqus.xml")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/moderation/s/alpha/transfer") {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// The job runs in the background; the page shows its progress and then the report.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, body = admin.get("/moderation/s/alpha/transfer")
		if !strings.Contains(body, "Running") && !strings.Contains(body, "Waiting") {
			break
		}
		if res.Header.Get("Refresh") == "" {
			t.Error("a page with a running import does not refresh itself")
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, "Finished") || !strings.Contains(body, "approved 8, pending 1, spam 1") || !strings.Contains(body, "line 115") {
		t.Errorf("report not shown: %s", body)
	}
	jobs, err := e.svc.ImportJobs(e.ctx, mustUser(t, e, "admin@both.example"), "alpha")
	if err != nil || len(jobs) != 1 || jobs[0].Report == nil || jobs[0].Report.ImportedTotal() != 10 {
		t.Fatalf("jobs: %+v %v", jobs, err)
	}

	res, body = admin.get("/moderation/s/alpha/export?format=jsonl")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="parley-alpha-`) ||
		strings.Count(body, `"type":"comment"`) != 10 || !strings.Contains(body, "anna@example.org") {
		t.Errorf("export download: %d %q, %d comments", res.StatusCode, res.Header.Get("Content-Disposition"), strings.Count(body, `"type":"comment"`))
	}
	if res, body = admin.get("/moderation/s/alpha/export?format=wxr"); res.StatusCode != http.StatusOK || !strings.Contains(body, "<wp:comment>") {
		t.Errorf("wxr download: %d", res.StatusCode)
	}

	// Moderators, and admins of another site, are refused everything.
	for _, who := range []struct{ email, site string }{{"mod@alpha.example", "alpha"}, {"admin@both.example", "beta"}} {
		u := e.login(who.email)
		for _, p := range []string{"/transfer", "/export?format=jsonl"} {
			if res, body := u.get("/moderation/s/" + who.site + p); res.StatusCode != http.StatusForbidden || strings.Contains(body, "anna@") {
				t.Errorf("%s GET %s on %s: %d, want 403", who.email, p, who.site, res.StatusCode)
			}
		}
		if res, _ := u.upload("/moderation/s/"+who.site+"/import", "disqus", "../transfer/testdata/disqus.xml"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s import on %s: %d, want 403", who.email, who.site, res.StatusCode)
		}
	}
	// No CSRF token, no import.
	admin.csrf = "wrong"
	if res, _ := admin.upload("/moderation/s/alpha/import", "disqus", "../transfer/testdata/disqus.xml"); res.StatusCode != http.StatusForbidden {
		t.Errorf("import without the CSRF token: %d", res.StatusCode)
	}
}
