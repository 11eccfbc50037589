package httpapi

import (
	"net/http"

	"github.com/parley-comments/parley"
)

// handleSanctionReporter sanctions the reader who made report {id} for
// abuse of reporting: they may no longer report comments on the report's
// site, and their open reports there are resolved as abusive. Moderators
// and admins of that site only (the service checks); like every other
// moderator write it needs a bearer token, or a session cookie with the
// CSRF header from an allowed origin (guardUnsafe). The reporter's key
// stays out of the answer.
func (s *Server) handleSanctionReporter(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		var in struct {
			Reason string `json:"reason"`
		}
		if r.ContentLength != 0 {
			if err := decodeJSON(w, r, &in); err != nil {
				return err
			}
		}
		sn, err := s.svc.SanctionReporter(r.Context(), u, r.PathValue("id"), in.Reason)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, map[string]any{"sanction": map[string]any{
			"id": sn.ID, "site_id": sn.SiteID, "kind": sn.Kind, "reason": sn.Reason, "created_at": sn.CreatedAt}})
		return nil
	})
}
