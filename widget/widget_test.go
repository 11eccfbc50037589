package widget

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func newMux(t *testing.T) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	Routes(mux)
	return mux
}

func do(t *testing.T, h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func mustManifest(t *testing.T) Manifest {
	t.Helper()
	m, err := Info()
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	return m
}

func TestLoader(t *testing.T) {
	t.Parallel()
	mux := newMux(t)
	m := mustManifest(t)
	rec := do(t, mux, "GET", "/widget.js", nil)
	if rec.Code != 200 {
		t.Fatalf("GET /widget.js = %d", rec.Code)
	}
	h := rec.Header()
	if got := h.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("nosniff header = %q", got)
	}
	if got := h.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("Cache-Control = %q", got)
	}
	if h.Get("Content-Encoding") != "" {
		t.Errorf("gzip without Accept-Encoding")
	}
	if !strings.Contains(rec.Body.String(), "widget/"+m.Bundle) {
		t.Errorf("loader does not load %s: %s", m.Bundle, rec.Body.String())
	}
	etag := h.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	rec = do(t, mux, "GET", "/widget.js", map[string]string{"If-None-Match": etag})
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with current ETag = %d, want 304", rec.Code)
	}
	rec = do(t, mux, "GET", "/widget.js", map[string]string{"If-None-Match": `"stale"`})
	if rec.Code != 200 {
		t.Errorf("If-None-Match with a stale ETag = %d, want 200", rec.Code)
	}
}

func TestBundleImmutableAndGzip(t *testing.T) {
	t.Parallel()
	mux := newMux(t)
	m := mustManifest(t)
	path := "/widget/" + m.Bundle
	plain := do(t, mux, "GET", path, nil)
	if plain.Code != 200 {
		t.Fatalf("GET %s = %d", path, plain.Code)
	}
	if got := plain.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := plain.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if plain.Body.Len() != m.BundleBytes {
		t.Errorf("served %d bytes, manifest says %d", plain.Body.Len(), m.BundleBytes)
	}
	zipped := do(t, mux, "GET", path, map[string]string{"Accept-Encoding": "br, gzip;q=0.8"})
	if zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip for Accept-Encoding: gzip")
	}
	if zipped.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Errorf("gzip and identity responses share an ETag")
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain.Body.Bytes()) {
		t.Errorf("gunzipped body differs from the identity body")
	}
	refused := do(t, mux, "GET", path, map[string]string{"Accept-Encoding": "gzip;q=0"})
	if refused.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip sent although q=0")
	}
	head := do(t, mux, "HEAD", path, nil)
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Errorf("HEAD = %d with %d body bytes", head.Code, head.Body.Len())
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	mux := newMux(t)
	for _, p := range []string{"/widget/manifest.json", "/widget/widget.js", "/widget/widget.0000000000.js", "/widget/"} {
		if rec := do(t, mux, "GET", p, nil); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	if rec := do(t, mux, "POST", "/widget.js", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /widget.js = %d, want 405", rec.Code)
	}
	if rec := do(t, Handler(), "DELETE", "/widget.js", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE via Handler = %d, want 405", rec.Code)
	}
}

// TestSizeBudget checks issue 5's limit: widget.js (loader plus the bundle
// it loads) is at most 25 KB gzipped. It gzips the embedded files itself
// rather than trusting the manifest, and checks the manifest is current.
func TestSizeBudget(t *testing.T) {
	t.Parallel()
	m := mustManifest(t)
	a, err := load()
	if err != nil {
		t.Fatal(err)
	}
	gz := func(b []byte) int {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Len()
	}
	bundle := a.bundles[m.Bundle].raw
	total := gz(bundle) + gz(a.loader.raw)
	t.Logf("bundle %d B (%d B gzipped), loader %d B; total gzipped %d B of %d", len(bundle), gz(bundle), len(a.loader.raw), total, 25*1024)
	if total > 25*1024 {
		t.Errorf("widget is %d bytes gzipped, over the 25 KB budget", total)
	}
	if m.BundleBytes != len(bundle) || m.LoaderBytes != len(a.loader.raw) {
		t.Errorf("manifest sizes are stale; run npm run build in frontend/")
	}
	if len(a.bundles) != 1 {
		t.Errorf("dist holds %d bundles; the build should leave exactly one", len(a.bundles))
	}
}

func TestLoadFromRejectsInconsistentBuilds(t *testing.T) {
	t.Parallel()
	good := `{"loader":"widget.js","bundle":"widget.0123456789ab.js"}`
	cases := map[string]fstest.MapFS{
		"no manifest": {"dist/widget.js": {Data: []byte("x")}},
		"bad json":    {"dist/manifest.json": {Data: []byte("{")}},
		"bad name": {
			"dist/manifest.json": {Data: []byte(`{"loader":"widget.js","bundle":"evil.js"}`)},
		},
		"loader points elsewhere": {
			"dist/manifest.json":          {Data: []byte(good)},
			"dist/widget.js":              {Data: []byte(`load("widget/widget.ffffffffffff.js")`)},
			"dist/widget.0123456789ab.js": {Data: []byte("code")},
		},
		"bundle missing": {
			"dist/manifest.json": {Data: []byte(good)},
			"dist/widget.js":     {Data: []byte(`load("widget/widget.0123456789ab.js")`)},
		},
	}
	for name, fsys := range cases {
		if _, err := loadFrom(fsys); err == nil {
			t.Errorf("%s: loadFrom succeeded", name)
		}
	}
	ok := fstest.MapFS{
		"dist/manifest.json":          {Data: []byte(good)},
		"dist/widget.js":              {Data: []byte(`load("widget/widget.0123456789ab.js")`)},
		"dist/widget.0123456789ab.js": {Data: []byte("code")},
	}
	a, err := loadFrom(ok)
	if err != nil {
		t.Fatalf("consistent build: %v", err)
	}
	if string(a.bundles["widget.0123456789ab.js"].raw) != "code" {
		t.Errorf("bundle not loaded")
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"":                      false,
		"gzip":                  true,
		"GZIP":                  true,
		"br, gzip":              true,
		"gzip;q=0":              false,
		"gzip; q=0.0":           false,
		"gzip;q=0.5":            true,
		"deflate":               false,
		"*":                     true,
		"identity, gzip;q=0.01": true,
	}
	for in, want := range cases {
		if got := acceptsGzip(in); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", in, got, want)
		}
	}
}
