package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// countingAuth knows one session ("s1", CSRF "c1") and one token ("t1"),
// and counts lookups.
type countingAuth struct{ sessions, bearers atomic.Int32 }

func (a *countingAuth) SessionUser(_ context.Context, secret string) (*parley.User, *parley.Session, error) {
	a.sessions.Add(1)
	if secret != "s1" {
		return nil, nil, parley.Errorf(parley.EUNAUTHORIZED, "no")
	}
	return &parley.User{ID: "u1"}, &parley.Session{UserID: "u1", CSRFToken: "c1"}, nil
}

func (a *countingAuth) BearerUser(_ context.Context, secret string) (*parley.User, error) {
	a.bearers.Add(1)
	if secret != "t1" {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "no")
	}
	return &parley.User{ID: "u2"}, nil
}

func TestAuthenticateLooksUpOnceWhenNested(t *testing.T) {
	t.Parallel()
	a := &countingAuth{}
	var got *Requester
	h := Authenticate(a, Authenticate(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = From(r) })))
	r := httptest.NewRequest("GET", "/moderation", nil)
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "s1"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	if n := a.sessions.Load(); n != 1 {
		t.Fatalf("session lookups = %d, want 1", n)
	}
	if got.User == nil || got.User.ID != "u1" || got.Session == nil {
		t.Fatalf("requester = %+v", got)
	}
}

func TestAuthenticateBearerAndBadHeader(t *testing.T) {
	t.Parallel()
	a := &countingAuth{}
	cases := []struct {
		header  string
		user    string
		errCode string
	}{
		{"Bearer t1", "u2", ""},
		{"Bearer nope", "", parley.EUNAUTHORIZED},
		{"Basic abc", "", parley.EUNAUTHORIZED},
		{"Bearer ", "", parley.EUNAUTHORIZED},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/api/v1/comments", nil)
		r.Header.Set("Authorization", c.header)
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "s1"}) // ignored: the header wins
		Authenticate(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, err := User(r)
			if parley.ErrorCode(err) != c.errCode && !(c.errCode == "" && err == nil) {
				t.Errorf("%q: err = %v, want %s", c.header, err, c.errCode)
			}
			if c.user != "" && (u == nil || u.ID != c.user) {
				t.Errorf("%q: user = %+v, want %s", c.header, u, c.user)
			}
			if From(r).Session != nil {
				t.Errorf("%q: a bearer request has a cookie session", c.header)
			}
		})).ServeHTTP(httptest.NewRecorder(), r)
	}
	if a.sessions.Load() != 0 {
		t.Fatal("the session cookie was looked up although an Authorization header was sent")
	}
}

func TestCSRFOnCookieRequests(t *testing.T) {
	t.Parallel()
	a := &countingAuth{}
	check := func(method, token, form string) error {
		body := strings.NewReader(form)
		r := httptest.NewRequest(method, "/x", body)
		if form != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: "s1"})
		if token != "" {
			r.Header.Set("X-CSRF-Token", token)
		}
		var err error
		Authenticate(a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, err = User(r) })).ServeHTTP(httptest.NewRecorder(), r)
		return err
	}
	if err := check("GET", "", ""); err != nil {
		t.Fatalf("GET needs no token: %v", err)
	}
	if err := check("POST", "", ""); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("POST without token: %v", err)
	}
	if err := check("POST", "wrong", ""); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("POST with a wrong token: %v", err)
	}
	if err := check("DELETE", "c1", ""); err != nil {
		t.Fatalf("header token: %v", err)
	}
	if err := check("POST", "", "csrf_token=c1"); err != nil {
		t.Fatalf("form token: %v", err)
	}
}

func TestOneSecureCookieRule(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		configured, tls, want bool
	}{{false, false, false}, {true, false, true}, {false, true, true}, {true, true, true}} {
		r := httptest.NewRequest("POST", "/", nil)
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		for _, set := range []func(w http.ResponseWriter){
			func(w http.ResponseWriter) {
				Cookies{Secure: c.configured}.SetSession(w, r, "s", time.Now().Add(time.Hour))
			},
			func(w http.ResponseWriter) { Cookies{Secure: c.configured}.ClearSession(w, r) },
		} {
			w := httptest.NewRecorder()
			set(w)
			ck := w.Result().Cookies()[0]
			if ck.Secure != c.want || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("configured=%v tls=%v: cookie %+v", c.configured, c.tls, ck)
			}
		}
	}
}

func TestWriteErrorHidesInternalDetail(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	WriteError(w, r, discard(), errors.New("db password is hunter2"), "")
	if w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") || !strings.Contains(w.Body.String(), `"code":"internal"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	e := parley.Errorf(parley.ERATELIMITED, "Slow down.")
	e.RetryAfter = 1500 * time.Millisecond
	WriteError(w, r, discard(), e, "")
	if w.Code != 429 || w.Header().Get("Retry-After") != "2" || !strings.Contains(w.Body.String(), "Slow down.") {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ body, code string }{
		{``, parley.EMALFORMED},
		{`{`, parley.EMALFORMED},
		{"{\"a\":\"\xff\"}", parley.EMALFORMED},
		{`{"a":1}`, parley.EINVALID},
		{`{"a":"` + strings.Repeat("x", MaxRequestBytes) + `"}`, parley.ETOOLARGE},
		{`{"a":"ok"}`, ""},
	} {
		var v struct {
			A string `json:"a"`
		}
		w := httptest.NewRecorder()
		err := DecodeJSON(w, httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &v)
		if c.code == "" && err != nil || c.code != "" && parley.ErrorCode(err) != c.code {
			t.Errorf("%.20q: %v, want %s", c.body, err, c.code)
		}
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
