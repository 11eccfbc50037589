// Package widget serves Parley's embeddable comment widget.
//
// The JavaScript is written in TypeScript under /frontend and built with
// `npm run build` into dist/, which is committed and embedded here, so
// `go build` needs no Node toolchain.
//
// Two kinds of files are served:
//
//   - GET /widget.js is the stable URL news sites put in their page
//     template. It is a tiny loader that inserts the content-hashed bundle.
//     It is cached briefly (Cache-Control: public, max-age=300) and carries
//     an ETag, so a new release reaches readers within minutes.
//   - GET /widget/widget.<hash>.js is the bundle. Its name changes with its
//     content, so it is cached for a year as immutable.
//
// Both are served as text/javascript; charset=utf-8 with nosniff, gzipped
// when the client accepts it (compressed once, at first use).
package widget

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley/internal/router"
)

//go:embed dist
var distFS embed.FS

// LoaderMaxAge is how long browsers and proxies may cache /widget.js.
const LoaderMaxAge = 5 * time.Minute

// Manifest describes the built files in dist/manifest.json.
type Manifest struct {
	Loader          string `json:"loader"`
	Bundle          string `json:"bundle"`
	BundleBytes     int    `json:"bundle_bytes"`
	BundleGzipBytes int    `json:"bundle_gzip_bytes"`
	LoaderBytes     int    `json:"loader_bytes"`
	LoaderGzipBytes int    `json:"loader_gzip_bytes"`
	GzipLimitBytes  int    `json:"gzip_limit_bytes"`
}

var hashedName = regexp.MustCompile(`^widget\.[0-9a-f]{8,64}\.js$`)

// asset is one servable file, with its gzipped form and ETags.
type asset struct {
	raw, gz      []byte
	etag, etagGz string
	cacheControl string
}

// assets is the set of embedded files, prepared once.
type assets struct {
	manifest Manifest
	loader   *asset
	bundles  map[string]*asset // by file name
}

var (
	loadOnce   sync.Once
	loaded     *assets
	errLoading error
)

// load reads and prepares the embedded files.
func load() (*assets, error) {
	loadOnce.Do(func() { loaded, errLoading = loadFrom(distFS) })
	return loaded, errLoading
}

func loadFrom(fsys fs.FS) (*assets, error) {
	b, err := fs.ReadFile(fsys, "dist/manifest.json")
	if err != nil {
		return nil, fmt.Errorf("widget: read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("widget: parse manifest: %w", err)
	}
	if m.Loader != "widget.js" || !hashedName.MatchString(m.Bundle) {
		return nil, fmt.Errorf("widget: manifest names %q and %q are not the expected loader and hashed bundle", m.Loader, m.Bundle)
	}
	a := &assets{manifest: m, bundles: map[string]*asset{}}
	raw, err := fs.ReadFile(fsys, "dist/"+m.Loader)
	if err != nil {
		return nil, fmt.Errorf("widget: read loader: %w", err)
	}
	if !bytes.Contains(raw, []byte("widget/"+m.Bundle)) {
		return nil, fmt.Errorf("widget: loader does not reference %s; rebuild with npm run build", m.Bundle)
	}
	if a.loader, err = newAsset(raw, fmt.Sprintf("public, max-age=%d", int(LoaderMaxAge.Seconds()))); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, "dist")
	if err != nil {
		return nil, fmt.Errorf("widget: list dist: %w", err)
	}
	for _, e := range entries {
		if !hashedName.MatchString(e.Name()) {
			continue
		}
		raw, err := fs.ReadFile(fsys, "dist/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("widget: read %s: %w", e.Name(), err)
		}
		if a.bundles[e.Name()], err = newAsset(raw, "public, max-age=31536000, immutable"); err != nil {
			return nil, err
		}
	}
	if a.bundles[m.Bundle] == nil {
		return nil, fmt.Errorf("widget: bundle %s named in the manifest is missing", m.Bundle)
	}
	return a, nil
}

func newAsset(raw []byte, cacheControl string) (*asset, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("widget: gzip: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("widget: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("widget: gzip: %w", err)
	}
	sum := sha256.Sum256(raw)
	tag := hex.EncodeToString(sum[:8])
	return &asset{
		raw:          raw,
		gz:           buf.Bytes(),
		etag:         `"` + tag + `"`,
		etagGz:       `"` + tag + `-gz"`,
		cacheControl: cacheControl,
	}, nil
}

// Info returns the embedded build's manifest: file names and measured sizes.
// It fails only if the embedded files are inconsistent, which a rebuild fixes.
func Info() (Manifest, error) {
	a, err := load()
	if err != nil {
		return Manifest{}, err
	}
	return a.manifest, nil
}

// BundlePath returns the URL path of the content-hashed bundle, for pages
// that want to reference it directly (for example with a preload link).
func BundlePath() string {
	a, err := load()
	if err != nil {
		return ""
	}
	return "/widget/" + a.manifest.Bundle
}

// Handler serves GET /widget.js and GET /widget/{file}. Anything else under
// those paths is 404; methods other than GET and HEAD get 405.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

// Routes registers the widget's routes on mux: "GET /widget.js" and
// "GET /widget/" (GET patterns also match HEAD).
func Routes(mux router.Registrar) {
	h := Handler()
	mux.Handle("GET /widget.js", h)
	mux.Handle("GET /widget/", h)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, err := load()
	if err != nil {
		http.Error(w, "widget unavailable", http.StatusInternalServerError)
		return
	}
	var f *asset
	switch {
	case r.URL.Path == "/widget.js":
		f = a.loader
	case strings.HasPrefix(r.URL.Path, "/widget/"):
		f = a.bundles[strings.TrimPrefix(r.URL.Path, "/widget/")]
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", f.cacheControl)
	h.Add("Vary", "Accept-Encoding")
	// The widget is meant to be loaded by other sites' pages.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	body, tag := f.raw, f.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, tag = f.gz, f.etagGz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", tag)
	// ServeContent answers If-None-Match with 304 and handles HEAD and ranges.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip
// (q=0 refuses it).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}
