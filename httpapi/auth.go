package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/service"
)

type ctxKey int

const requesterKey ctxKey = 1

// requester is who made the request.
type requester struct {
	user    *parley.User
	session *parley.Session // set when authenticated by cookie
	// viaCookie is true when the user came from the session cookie, so
	// unsafe requests must carry the CSRF token.
	viaCookie bool
	authErr   error // a bad bearer token
}

// authenticate resolves the user from a bearer token or the session cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := &requester{}
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || secret == "" {
				rq.authErr = parley.Errorf(parley.EUNAUTHORIZED, "The Authorization header must be \"Bearer TOKEN\".")
			} else if u, err := s.svc.BearerUser(ctx, strings.TrimSpace(secret)); err != nil {
				rq.authErr = err
			} else {
				rq.user = u
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if u, sess, err := s.svc.SessionUser(ctx, c.Value); err == nil {
				rq.user, rq.session, rq.viaCookie = u, sess, true
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, requesterKey, rq)))
	})
}

func requesterFrom(r *http.Request) *requester {
	if rq, ok := r.Context().Value(requesterKey).(*requester); ok {
		return rq
	}
	return &requester{}
}

// user returns the signed-in user (nil for guests). It fails on a bad
// bearer token, and on a cookie-authenticated unsafe request without the
// session's CSRF token in the X-CSRF-Token header.
func (s *Server) user(r *http.Request) (*parley.User, error) {
	rq := requesterFrom(r)
	if rq.authErr != nil {
		return nil, rq.authErr
	}
	if rq.viaCookie && r.Method != http.MethodGet && r.Method != http.MethodHead {
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = r.FormValue("csrf_token")
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(rq.session.CSRFToken)) != 1 {
			return nil, parley.Errorf(parley.EFORBIDDEN, "Missing or wrong CSRF token.")
		}
	}
	return rq.user, nil
}

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
	s.setSessionCookie(w, secret, sess.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"token": secret, "csrf_token": sess.CSRFToken, "user": map[string]any{"id": u.ID, "name": u.Name}, "expires_at": sess.ExpiresAt})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, secret string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	rq := requesterFrom(r)
	if _, err := s.user(r); err != nil && rq.viaCookie {
		s.writeError(w, r, err)
		return
	}
	secret := ""
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.HasPrefix(h, "ps_") {
		secret = strings.TrimSpace(h)
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		secret = c.Value
	}
	if secret != "" {
		if err := s.svc.Logout(r.Context(), secret); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
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
	ms, err := s.svc.Store().ListMemberships(r.Context(), u.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "roles": ms}
	if rq := requesterFrom(r); rq.session != nil {
		out["csrf_token"] = rq.session.CSRFToken
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": out})
}
