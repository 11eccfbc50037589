package modui

import (
	"net/http"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
)

// handleSanctionReporter takes away the right to report from the reader
// who made report {id} (abuse of reporting) and dismisses their open
// reports. The comment itself is untouched.
func (ui *UI) handleSanctionReporter(w http.ResponseWriter, r *http.Request, rq *request) {
	sn, err := ui.svc.SanctionReporter(r.Context(), rq.user, r.PathValue("id"), r.PostFormValue("reason"))
	if err == nil && sn.SiteID != rq.site.ID {
		// The service checked the moderator's right on the report's own
		// site; a path naming another site is a mistake worth refusing
		// loudly rather than redirecting into the wrong queue.
		err = parley.Errorf(parley.EINVALID, "The report belongs to another site.")
	}
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	if httpx.WantsJSON(r) {
		ui.writeWithCounts(w, r, rq, "sanction", map[string]any{"id": sn.ID, "kind": sn.Kind})
		return
	}
	http.Redirect(w, r, withDone(back(r, "/moderation/s/"+rq.site.ID), "reporter_sanctioned"), http.StatusSeeOther)
}
