package modui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one static file with its content hash.
type asset struct {
	name   string // app.js
	hashed string // app.1a2b3c4d5e.js
	body   []byte
	ctype  string
	etag   string
}

// assets are the embedded static files, served under content-hashed names
// (cached for a year) and under their plain names (revalidated by ETag).
type assets struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(name)
		x := &asset{name: name, hashed: strings.TrimSuffix(name, ext) + "." + h + ext, body: b,
			ctype: mime.TypeByExtension(ext), etag: `"` + h + `"`}
		if x.ctype == "" {
			x.ctype = "application/octet-stream"
		}
		a.byName[name], a.byURL[name], a.byURL[x.hashed] = x, x, x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("modui: static files: %w", err)
	}
	for _, need := range []string{"app.js", "app.css"} {
		if a.byName[need] == nil {
			return nil, fmt.Errorf("modui: static file %s is missing", need)
		}
	}
	return a, nil
}

// url returns the content-hashed URL of a static file.
func (a *assets) url(name string) string {
	x, ok := a.byName[name]
	if !ok {
		panic("modui: unknown static file " + name) // caught by the template test
	}
	return "/moderation/static/" + x.hashed
}

func (ui *UI) handleStatic(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	x, ok := ui.assets.byURL[file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("ETag", x.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if file == x.hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, x.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(x.body)
}
