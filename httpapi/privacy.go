package httpapi

import (
	"context"
	"net/http"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
)

// PrivacyService is what the data request endpoint needs.
type PrivacyService interface {
	RequestPrivacy(ctx context.Context, siteID, email string, kind parley.PrivacyKind, clientKey string) error
}

type privacyRequest struct {
	Site  string `json:"site"`
	Email string `json:"email"`
	Kind  string `json:"kind"` // export or erase
}

// handlePrivacyRequest mails a commenter a link to download or erase their
// data. It answers 202 whether or not the address is known.
func (s *Server) handlePrivacyRequest(w http.ResponseWriter, r *http.Request) {
	var in privacyRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	key := clientip.RateKey(s.ips.ClientIP(r))
	if err := s.svc.RequestPrivacy(r.Context(), in.Site, in.Email, parley.PrivacyKind(in.Kind), key); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"status": "sent",
		"message": "If we hold data for this address, a link is on its way to it. It works for 24 hours."})
}
