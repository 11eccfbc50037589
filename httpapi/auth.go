package httpapi

import (
	"net/http"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// user returns the signed-in user (nil for guests). It fails on a bad
// bearer token, and on a cookie-authenticated unsafe request without the
// session's CSRF token (httpx.User).
func (s *Server) user(r *http.Request) (*parley.User, error) { return httpx.User(r) }

// author describes the public-side requester for the service.
func (s *Server) author(r *http.Request) (service.Author, error) {
	u, err := s.user(r)
	if err != nil {
		return service.Author{}, err
	}
	ip := s.ips.ClientIP(r)
	a := service.Author{User: u, ClientKey: clientip.RateKey(ip), Origin: pageOrigin(r)}
	if ip.IsValid() {
		a.ClientIP = ip.String()
	}
	if u == nil {
		a.GuestToken = r.Header.Get("X-Parley-Guest-Token")
		if a.GuestToken == "" {
			if c, err := r.Cookie(GuestCookie); err == nil {
				a.GuestToken = c.Value
			}
		}
	}
	return a, nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Email == "" || in.Password == "" {
		s.writeError(w, r, parley.Errorf(parley.EINVALID, "email and password are required."))
		return
	}
	sess, secret, u, err := s.svc.Login(r.Context(), in.Email, in.Password, clientip.RateKey(s.ips.ClientIP(r)))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.cookies.SetSession(w, r, secret, sess.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"token": secret, "csrf_token": sess.CSRFToken, "user": map[string]any{"id": u.ID, "name": u.Name}, "expires_at": sess.ExpiresAt})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if _, err := s.user(r); err != nil && httpx.From(r).Session != nil {
		s.writeError(w, r, err)
		return
	}
	if secret := httpx.SessionSecret(r); secret != "" {
		if err := s.svc.Logout(r.Context(), secret); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.cookies.ClearSession(w, r)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if u == nil {
		s.writeError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Not logged in."))
		return
	}
	ms, err := s.svc.Memberships(r.Context(), u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "roles": ms}
	if sess := httpx.From(r).Session; sess != nil {
		out["csrf_token"] = sess.CSRFToken
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": out})
}
