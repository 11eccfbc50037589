// Package router is net/http's ServeMux that remembers the patterns
// registered on it, so that a test can walk every route of the assembled
// server (the authorization matrix in cmd/parley).
package router

import (
	"net/http"
	"slices"
	"sync"
)

// Registrar is what packages that add routes need: *Mux and
// *http.ServeMux both are one.
type Registrar interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

// Mux is an http.ServeMux that records its patterns.
type Mux struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

// New returns an empty Mux.
func New() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, h)
	m.record(pattern)
}

// HandleFunc registers h for pattern.
func (m *Mux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.ServeMux.HandleFunc(pattern, h)
	m.record(pattern)
}

func (m *Mux) record(pattern string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns = append(m.patterns, pattern)
}

// Patterns returns every registered pattern, sorted.
func (m *Mux) Patterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.patterns)
	slices.Sort(out)
	return out
}
