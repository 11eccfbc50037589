package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// fuzzEndpoint is one JSON endpoint the fuzzer sends bodies to.
type fuzzEndpoint struct {
	method, path string
	headers      []string
}

// FuzzJSONEndpoints sends arbitrary bodies to every JSON endpoint of the
// API through the real router and service (SQLite): the public ones
// (post, edit, report, preview, login) and the moderators' and admins'.
// No body may cause a 5xx; every 4xx is a JSON error with a code and a
// message. Login bodies are only decoded (a valid one would run argon2id
// with production parameters on every input).
func FuzzJSONEndpoints(f *testing.F) {
	db := sqltest.OpenSQLite(f)
	svc := service.New(service.Options{Store: db})
	api := New(Config{Service: svc})
	f.Cleanup(api.Close)
	h := api.Handler()
	ctx := context.Background()
	if _, err := svc.CreateSite(ctx, "a", "A", []string{"https://a.example"}); err != nil {
		f.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "admin@a.example", "Admin", "long enough password"); err != nil {
		f.Fatal(err)
	}
	if err := svc.SetRole(ctx, "a", "admin@a.example", parley.RoleAdmin); err != nil {
		f.Fatal(err)
	}
	admin, err := svc.CreateToken(ctx, "admin@a.example")
	if err != nil {
		f.Fatal(err)
	}
	guestTok := service.NewGuestToken()
	post := func(body string) *parley.Comment {
		r, err := svc.Post(ctx, service.Author{GuestToken: guestTok, ClientKey: "192.0.2.1"}, service.PostInput{SiteID: "a",
			StoryURL: "https://a.example/f", Body: body, GuestName: "Fuzz"})
		if err != nil {
			f.Fatal(err)
		}
		return r.Comment
	}
	own, approved := post("Mine to edit."), post("Approved one.")
	if _, err := svc.Decide(ctx, nil, approved.ID, service.Decision{Action: service.ActionApprove}); err == nil {
		f.Fatal("a decision without a user succeeded")
	}
	u, err := db.GetUserByEmail(ctx, "admin@a.example")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := svc.Decide(ctx, u, approved.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		f.Fatal(err)
	}
	guest := []string{"X-Parley-Guest-Token", guestTok}
	staff := []string{"Authorization", "Bearer " + admin}
	endpoints := []fuzzEndpoint{
		{"POST", "/api/v1/comments", guest},
		{"PATCH", "/api/v1/comments/" + own.ID, guest},
		{"POST", "/api/v1/comments/" + approved.ID + "/report", guest},
		{"POST", "/api/v1/preview", nil},
		{"POST", "/api/v1/moderation/comments/" + own.ID + "/reject", staff},
		{"POST", "/api/v1/moderation/bulk", staff},
		{"POST", "/api/v1/moderation/sanctions", staff},
		{"PATCH", "/api/v1/moderation/stories/" + own.StoryID, staff},
		{"PUT", "/api/v1/admin/sites/a/settings", staff},
		{"POST", "/api/v1/auth/login", nil}, // decoded only, see above
	}
	for i, body := range []string{
		`{"site":"a","story_url":"https://a.example/f","body":"Hello","author_name":"G","author_email":"g@example.org"}`,
		`{"body":"Edited text."}`, `{"reason":"spam","note":"x"}`, `{"body":"*hi* [x](https://ok.example)"}`,
		`{"reason":"other","note":"n","expect_version":1}`, `{"site":"a","ids":["x"],"action":"approve"}`,
		`{"site":"a","author_key":"e:x@example.org","kind":"suspend","until":"2030-01-01T00:00:00Z"}`,
		`{"title":"T","url":"https://a.example/g","locked":true,"closed":false,"mode":"post"}`,
		`{"mode":"post","auto_reject":{"toxic":0.9},"edit_window":"10m"}`, `{"email":"a@b.c","password":"x"}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	f.Add(uint8(0), []byte(`{"body":null,"site":1}`))
	f.Add(uint8(3), []byte("{\"body\":\"\xff\"}"))
	f.Add(uint8(0), []byte(`[]`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := endpoints[int(which)%len(endpoints)]
		req := httptest.NewRequest(ep.method, ep.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(ep.headers); i += 2 {
			req.Header.Set(ep.headers[i], ep.headers[i+1])
		}
		rec := httptest.NewRecorder()
		if ep.path == "/api/v1/auth/login" {
			var in loginRequest
			if err := decodeJSON(rec, req, &in); err != nil && parley.HTTPStatus(parley.ErrorCode(err))/100 != 4 {
				t.Fatalf("login body %q: %v", body, err)
			}
			return
		}
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", ep.method, ep.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s with %q: %d without a JSON error: %s", ep.method, ep.path, body, rec.Code, rec.Body)
			}
		}
		if rec.Code == http.StatusOK || rec.Code == http.StatusCreated {
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s: invalid JSON %s", ep.method, ep.path, rec.Body)
			}
		}
	})
}
