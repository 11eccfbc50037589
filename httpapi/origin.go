package httpapi

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
)

// unsafeMethod reports whether a request may change state.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// ownOrigin reports whether origin is this server's own (the dashboard,
// the login popup, the demo page): its host and port equal the request's
// Host.
func ownOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// staffPath reports whether a path is for moderators and admins only:
// those accept state changes from Parley's own pages and from scripts
// (no Origin), never from a news site's pages.
func staffPath(p string) bool {
	return strings.HasPrefix(p, "/api/v1/moderation/") || strings.HasPrefix(p, "/api/v1/admin/") ||
		strings.HasPrefix(p, "/api/v1/account/") || strings.HasPrefix(p, "/auth/")
}

// guardUnsafe refuses state-changing requests that a page on another site
// could forge (CSRF): a browser sends Origin with every cross-origin POST,
// PUT, PATCH and DELETE, and a form can only send text/plain, urlencoded
// or multipart bodies. So an unsafe request must come from one of a site's
// origins (public endpoints; the service then checks it is the right
// site's) or from Parley's own origin, and an API request's body must be
// application/json. Requests with no Origin at all are not from a browser
// page (scripts with a bearer token) unless Sec-Fetch-Site says otherwise.
func (s *Server) guardUnsafe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if unsafeMethod(r.Method) && (strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/auth/")) {
			if err := s.checkUnsafe(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) checkUnsafe(r *http.Request) error {
	origin := r.Header.Get("Origin")
	p := r.URL.Path
	switch {
	case origin == "":
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return parley.Errorf(parley.EFORBIDDEN, "Cross-site requests without an Origin are refused.")
		}
	case ownOrigin(r, origin):
	case staffPath(p):
		return parley.Errorf(parley.EFORBIDDEN, "Only Parley's own pages may make this request.")
	case !s.originAllowed(r.Context(), origin):
		return parley.Errorf(parley.EFORBIDDEN, "Pages on %s may not make this request.", origin)
	}
	if strings.HasPrefix(p, "/api/") {
		return requireJSON(r)
	}
	return nil
}

// requireJSON refuses a request body that is not application/json. A
// request with no body at all (a bodiless DELETE or logout) passes.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		if r.ContentLength == 0 {
			return nil
		}
	} else if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
		return nil
	}
	return parley.Errorf(parley.EMEDIATYPE, "The request body must be JSON (Content-Type: application/json).")
}

// pageOrigin is the Origin the service checks against the site's origins:
// "" for requests from no page or from Parley's own pages.
func pageOrigin(r *http.Request) string {
	o := r.Header.Get("Origin")
	if o == "" || ownOrigin(r, o) {
		return ""
	}
	return strings.ToLower(o)
}
