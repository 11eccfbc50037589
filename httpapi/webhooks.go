package httpapi

import (
	"context"
	"net/http"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// WebhookService is what the webhook admin API needs; admins of the site
// only (the service checks).
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

func (s *Server) webhookRoutes() {
	m := s.mux
	m.HandleFunc("GET /api/v1/admin/sites/{id}/webhooks", s.handleListWebhooks)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/webhooks", s.handleCreateWebhook)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/webhooks/{hook}", s.handleGetWebhook)
	m.HandleFunc("PATCH /api/v1/admin/sites/{id}/webhooks/{hook}", s.handleUpdateWebhook)
	m.HandleFunc("DELETE /api/v1/admin/sites/{id}/webhooks/{hook}", s.handleDeleteWebhook)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/webhooks/{hook}/rotate-secret", s.handleRotateWebhook)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/webhooks/{hook}/test", s.handleTestWebhook)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/webhooks/{hook}/deliveries", s.handleWebhookDeliveries)
}

// webhookRequest is the body of create and update; absent fields keep
// their value on update.
type webhookRequest struct {
	URL             *string   `json:"url"`
	Description     *string   `json:"description"`
	Events          *[]string `json:"events"`
	ModeratorFacing *bool     `json:"moderator_facing"`
	Active          *bool     `json:"active"`
}

func (b webhookRequest) input() service.WebhookInput {
	return service.WebhookInput{URL: b.URL, Description: b.Description, Events: b.Events, ModeratorFacing: b.ModeratorFacing, Active: b.Active}
}

// withUser runs fn with the request's user and writes its error, if any.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request, fn func(u *parley.User) error) {
	u, err := s.user(r)
	if err == nil {
		err = fn(u)
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		list, err := s.svc.Webhooks(r.Context(), u, r.PathValue("id"))
		if err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"webhooks": list})
		}
		return err
	})
}

func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		var body webhookRequest
		if err := decodeJSON(w, r, &body); err != nil {
			return err
		}
		h, err := s.svc.CreateWebhook(r.Context(), u, r.PathValue("id"), body.input())
		if err == nil {
			writeJSON(w, http.StatusCreated, h)
		}
		return err
	})
}

func (s *Server) handleGetWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		h, err := s.svc.Webhook(r.Context(), u, r.PathValue("id"), r.PathValue("hook"))
		if err == nil {
			writeJSON(w, http.StatusOK, h)
		}
		return err
	})
}

func (s *Server) handleUpdateWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		var body webhookRequest
		if err := decodeJSON(w, r, &body); err != nil {
			return err
		}
		h, err := s.svc.UpdateWebhook(r.Context(), u, r.PathValue("id"), r.PathValue("hook"), body.input())
		if err == nil {
			writeJSON(w, http.StatusOK, h)
		}
		return err
	})
}

func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		err := s.svc.DeleteWebhook(r.Context(), u, r.PathValue("id"), r.PathValue("hook"))
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
		}
		return err
	})
}

func (s *Server) handleRotateWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		h, err := s.svc.RotateWebhookSecret(r.Context(), u, r.PathValue("id"), r.PathValue("hook"))
		if err == nil {
			writeJSON(w, http.StatusOK, h)
		}
		return err
	})
}

func (s *Server) handleTestWebhook(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		d, err := s.svc.SendTestEvent(r.Context(), u, r.PathValue("id"), r.PathValue("hook"))
		if err == nil {
			writeJSON(w, http.StatusAccepted, d)
		}
		return err
	})
}

func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		limit, err := queryInt(r, "limit", 50, 500)
		if err != nil {
			return err
		}
		list, next, err := s.svc.WebhookDeliveries(r.Context(), u, r.PathValue("id"), r.PathValue("hook"), r.URL.Query().Get("cursor"), limit)
		if err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"deliveries": list, "next_cursor": next})
		}
		return err
	})
}
