package router

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestMuxRecordsAndRoutes(t *testing.T) {
	m := New()
	m.HandleFunc("GET /b", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	m.Handle("POST /a/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(202) }))
	if got := m.Patterns(); !slices.Equal(got, []string{"GET /b", "POST /a/{id}"}) {
		t.Fatalf("patterns %v", got)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("POST", "/a/1", nil))
	if rec.Code != 202 {
		t.Fatalf("routed to %d", rec.Code)
	}
}
