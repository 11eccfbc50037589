package modui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// WebhookService is what the dashboard's webhook pages need; admins of the
// site only (the service checks).
type WebhookService interface {
	Webhooks(ctx context.Context, actor *parley.User, siteID string) ([]*parley.Webhook, error)
	Webhook(ctx context.Context, actor *parley.User, siteID, id string) (*parley.Webhook, error)
	CreateWebhook(ctx context.Context, actor *parley.User, siteID string, in service.WebhookInput) (*parley.Webhook, error)
	UpdateWebhook(ctx context.Context, actor *parley.User, siteID, id string, in service.WebhookInput) (*parley.Webhook, error)
	RotateWebhookSecret(ctx context.Context, actor *parley.User, siteID, id string) (*parley.Webhook, error)
	DeleteWebhook(ctx context.Context, actor *parley.User, siteID, id string) error
	WebhookDeliveries(ctx context.Context, actor *parley.User, siteID, id, cursor string, limit int) ([]*parley.WebhookDelivery, string, error)
	SendTestEvent(ctx context.Context, actor *parley.User, siteID, id string) (*parley.WebhookDelivery, error)
}

// webhookRoutes registers the webhook pages.
func (ui *UI) webhookRoutes(site func(pattern string, h siteHandler)) {
	site("GET /moderation/s/{site}/webhooks", ui.handleWebhooks)
	site("POST /moderation/s/{site}/webhooks", ui.handleCreateWebhook)
	site("GET /moderation/s/{site}/webhooks/{id}", ui.handleWebhook)
	site("POST /moderation/s/{site}/webhooks/{id}", ui.handleUpdateWebhook)
	site("POST /moderation/s/{site}/webhooks/{id}/rotate", ui.handleRotateWebhook)
	site("POST /moderation/s/{site}/webhooks/{id}/test", ui.handleTestWebhook)
	site("POST /moderation/s/{site}/webhooks/{id}/delete", ui.handleDeleteWebhook)
}

// webhookForm reads the add/edit form.
func webhookForm(r *http.Request) service.WebhookInput {
	u, desc := strings.TrimSpace(r.PostFormValue("url")), r.PostFormValue("description")
	events := r.PostForm["events"]
	if events == nil {
		events = []string{}
	}
	mods, active := r.PostFormValue("audience") == "moderators", r.PostFormValue("active") == "on"
	return service.WebhookInput{URL: &u, Description: &desc, Events: &events, ModeratorFacing: &mods, Active: &active}
}

func (ui *UI) webhooksPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg string) {
	list, err := ui.svc.Webhooks(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "webhooks")
	p.Webhooks = list
	p.Error = errMsg
	if r.Method == http.MethodPost {
		p.HookForm = &parley.Webhook{URL: r.PostFormValue("url"), Description: r.PostFormValue("description"), Events: r.PostForm["events"],
			ModeratorFacing: r.PostFormValue("audience") == "moderators", Active: true}
	}
	ui.render(w, r, status, "webhooks", p)
}

func (ui *UI) handleWebhooks(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.webhooksPage(w, r, rq, http.StatusOK, "")
}

func (ui *UI) hookPath(rq *request, id string) string {
	return "/moderation/s/" + url.PathEscape(rq.site.ID) + "/webhooks/" + url.PathEscape(id)
}

func (ui *UI) handleCreateWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	in := webhookForm(r)
	active := true
	in.Active = &active
	h, err := ui.svc.CreateWebhook(r.Context(), rq.user, rq.site.ID, in)
	if err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.webhooksPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.hookPath(rq, h.ID), "webhook_created"), http.StatusSeeOther)
}

func (ui *UI) webhookPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg string) {
	h, err := ui.svc.Webhook(r.Context(), rq.user, rq.site.ID, r.PathValue("id"))
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	deliveries, next, err := ui.svc.WebhookDeliveries(r.Context(), rq.user, rq.site.ID, h.ID, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "webhook")
	p.HookForm, p.Deliveries, p.Error = h, deliveries, errMsg
	if next != "" {
		p.NextURL = ui.hookPath(rq, h.ID) + "?cursor=" + url.QueryEscape(next)
	}
	ui.render(w, r, status, "webhook", p)
}

func (ui *UI) handleWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.webhookPage(w, r, rq, http.StatusOK, "")
}

// hookAction runs a POST action on one webhook and returns to its page
// with a flash message.
func (ui *UI) hookAction(w http.ResponseWriter, r *http.Request, rq *request, done string, fn func(ctx context.Context, id string) error) {
	id := r.PathValue("id")
	if err := fn(r.Context(), id); err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.webhookPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.hookPath(rq, id), done), http.StatusSeeOther)
}

func (ui *UI) handleUpdateWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.hookAction(w, r, rq, "webhook_saved", func(ctx context.Context, id string) error {
		_, err := ui.svc.UpdateWebhook(ctx, rq.user, rq.site.ID, id, webhookForm(r))
		return err
	})
}

func (ui *UI) handleRotateWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.hookAction(w, r, rq, "webhook_rotated", func(ctx context.Context, id string) error {
		_, err := ui.svc.RotateWebhookSecret(ctx, rq.user, rq.site.ID, id)
		return err
	})
}

func (ui *UI) handleTestWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.hookAction(w, r, rq, "webhook_test", func(ctx context.Context, id string) error {
		_, err := ui.svc.SendTestEvent(ctx, rq.user, rq.site.ID, id)
		return err
	})
}

func (ui *UI) handleDeleteWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := ui.svc.DeleteWebhook(r.Context(), rq.user, rq.site.ID, r.PathValue("id")); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/webhooks", "webhook_deleted"), http.StatusSeeOther)
}

// HookEvents lists the events a webhook can subscribe to.
func (p *page) HookEvents() []string { return parley.HookEvents }

// HookHas reports whether the form's hook subscribes to event.
func (p *page) HookHas(event string) bool {
	if p.HookForm == nil {
		return event == parley.HookCommentApproved
	}
	for _, e := range p.HookForm.Events {
		if e == event {
			return true
		}
	}
	return false
}
