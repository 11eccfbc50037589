package modui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// PrivacyService is what the data requests page needs; admins of the site
// only (the service checks).
type PrivacyService interface {
	AdminExport(ctx context.Context, actor *parley.User, siteID, email string) (*service.Export, error)
	AdminErase(ctx context.Context, actor *parley.User, siteID, email string) (parley.ErasureResult, error)
	SetErasureDeletes(ctx context.Context, actor *parley.User, siteID string, deletes bool) error
	SetMailSettings(ctx context.Context, actor *parley.User, siteID string, m service.MailSettings) error
}

func (ui *UI) privacyRoutes(site func(pattern string, h siteHandler)) {
	site("GET /moderation/s/{site}/privacy", ui.handlePrivacy)
	site("POST /moderation/s/{site}/privacy/export", ui.handlePrivacyExport)
	site("POST /moderation/s/{site}/privacy/erase", ui.handlePrivacyErase)
	site("POST /moderation/s/{site}/privacy/settings", ui.handlePrivacySettings)
	site("POST /moderation/s/{site}/privacy/mail", ui.handleMailSettings)
}

func (ui *UI) handleMailSettings(w http.ResponseWriter, r *http.Request, rq *request) {
	num := func(k string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k)))
		if err != nil {
			return 0
		}
		return n
	}
	m := service.MailSettings{NotifyAuthorApproved: r.PostFormValue("approved") == "on", NotifyAuthorRejected: r.PostFormValue("rejected") == "on",
		AlertPendingOver: num("alert_pending"), AlertOldestMinutes: num("alert_minutes"), AlertEvery: time.Duration(num("alert_every")) * time.Minute,
		DailySummary: r.PostFormValue("summary") == "on"}
	if err := ui.svc.SetMailSettings(r.Context(), rq.user, rq.site.ID, m); err != nil {
		ui.privacyFail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/privacy", "settings_saved"), http.StatusSeeOther)
}

func (ui *UI) privacyPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg, flash string) {
	if rq.role != parley.RoleAdmin {
		ui.fail(w, r, rq, parley.Errorf(parley.EFORBIDDEN, "You are not an admin of this site."))
		return
	}
	p := ui.newPage(r, rq, "privacy")
	p.Error = errMsg
	if flash != "" {
		p.Flash = flash
	}
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	ui.render(w, r, status, "privacy", p)
}

func (ui *UI) handlePrivacy(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.privacyPage(w, r, rq, http.StatusOK, "", "")
}

// privacyFail shows a validation error on the page, anything else as an
// error page.
func (ui *UI) privacyFail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	if parley.IsCode(err, parley.EINVALID) {
		ui.privacyPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err), "")
		return
	}
	ui.fail(w, r, rq, err)
}

func (ui *UI) handlePrivacyExport(w http.ResponseWriter, r *http.Request, rq *request) {
	ex, err := ui.svc.AdminExport(r.Context(), rq.user, rq.site.ID, r.PostFormValue("email"))
	if err != nil {
		ui.privacyFail(w, r, rq, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="parley-export-%s.json"`, rq.site.ID))
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ex)
}

func (ui *UI) handlePrivacyErase(w http.ResponseWriter, r *http.Request, rq *request) {
	if r.PostFormValue("confirm") != "on" {
		ui.privacyPage(w, r, rq, http.StatusUnprocessableEntity, ui.cat.T(rq.lang, "privacy.confirm_needed"), "")
		return
	}
	res, err := ui.svc.AdminErase(r.Context(), rq.user, rq.site.ID, r.PostFormValue("email"))
	if err != nil {
		ui.privacyFail(w, r, rq, err)
		return
	}
	r.PostForm.Set("email", "")
	ui.privacyPage(w, r, rq, http.StatusOK, "", ui.cat.T(rq.lang, "privacy.erased", res.Deleted, res.Placeholder))
}

func (ui *UI) handlePrivacySettings(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := ui.svc.SetErasureDeletes(r.Context(), rq.user, rq.site.ID, r.PostFormValue("erasure") == "delete"); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/privacy", "settings_saved"), http.StatusSeeOther)
}

// AlertEveryMinutes is the site's alert period in minutes (60 when unset).
func (p *page) AlertEveryMinutes() int {
	if p.Site == nil || p.Site.Settings.AlertEvery <= 0 {
		return 60
	}
	return int(p.Site.Settings.AlertEvery.Std().Minutes())
}
