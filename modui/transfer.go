package modui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// MaxImportUpload is the largest file the dashboard accepts for an import;
// larger files are imported with "parley import" on the server.
const MaxImportUpload = 1 << 30

// handleTransfer shows the import form, the site's imports with their
// progress (the page refreshes itself while one runs) and the export links.
// Admins only.
func (ui *UI) handleTransfer(w http.ResponseWriter, r *http.Request, rq *request) {
	jobs, err := ui.svc.ImportJobs(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "transfer")
	p.Jobs = jobs
	for _, j := range jobs {
		j.Error = j.ErrorIn(rq.lang)
		if j.State == "running" || j.State == "queued" || j.State == "uploading" {
			w.Header().Set("Refresh", "2")
			break
		}
	}
	ui.render(w, r, http.StatusOK, "transfer", p)
}

// handleImport starts a background import of the uploaded file.
func (ui *UI) handleImport(w http.ResponseWriter, r *http.Request, rq *request) {
	// Permission before the upload is looked at: a moderator gets 403, not
	// a complaint about the file.
	if _, err := ui.svc.ImportJobs(r.Context(), rq.user, rq.site.ID); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		ui.fail(w, r, rq, parley.Errorf(parley.EINVALID, "Choose a file to import (at most 1 GB)."))
		return
	}
	defer f.Close()
	_, err = ui.svc.StartImport(r.Context(), rq.user, rq.site.ID, r.PostFormValue("format"), r.PostFormValue("strict") == "on", hdr.Filename, f)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/transfer", "import_started"), http.StatusSeeOther)
}

// handleExport streams the site's export as a download. Admins only.
func (ui *UI) handleExport(w http.ResponseWriter, r *http.Request, rq *request) {
	format := r.URL.Query().Get("format")
	ext, ctype := "jsonl", "application/jsonl; charset=utf-8"
	if format == "wxr" {
		ext, ctype = "xml", "application/rss+xml; charset=utf-8"
	} else if format != "jsonl" {
		ui.fail(w, r, rq, parley.Errorf(parley.EINVALID, "Unknown export format %q: use jsonl or wxr.", format))
		return
	}
	// Permission first, so that a refusal is a proper error page and not a
	// half-sent download.
	if _, err := ui.svc.ImportJobs(r.Context(), rq.user, rq.site.ID); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	name := fmt.Sprintf("parley-%s-%s.%s", safeFileName(rq.site.ID), time.Now().UTC().Format("20060102T150405Z"), ext)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if _, err := ui.svc.ExportSite(r.Context(), rq.user, rq.site.ID, format, w); err != nil {
		// Headers are gone; the truncated download fails in the browser.
		ui.log.ErrorContext(r.Context(), "export", "site", rq.site.ID, "err", err)
	}
}

func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
