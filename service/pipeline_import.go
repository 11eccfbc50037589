package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/render"
	"github.com/parley-comments/parley/textnorm"
)

// Imports run the write pipeline too (pipeline.go), a batch of comments at
// a time, with the same stage functions as a post; each stage branches on
// writeImport only where an import must differ:
//
//	validate   done by the importer as it reads (IDs, threads, states,
//	           dates, authors): a file's records are not requests
//	normalize  the source's HTML through the sanitizer (or a Parley export's
//	           Markdown through the renderer); the text is normalized once,
//	           and that one normalization gives the duplicate key, the
//	           duplicate signature and the classifier's input
//	classify   the classifier and the site adapter (loaded once per import),
//	           the spam signals
//	dedupe     the duplicate index, in file order (no resubmission check:
//	           the source's comments are what they are)
//	decide     the source's state is kept: imported comments are not
//	           re-moderated
//	persist    many comments per transaction (ImportComments)
//	publish    the duplicate index only: no event, notification or webhook
//
// normalize and classify are CPU-bound and independent per comment, so
// runImportStages runs them on all cores; dedupe and the index run in file
// order on one goroutine, so that the result does not depend on scheduling.

// importWrite is what a write of an imported comment carries besides the
// comment: its source text and the work shared between stages.
type importWrite struct {
	html     string // the source's HTML (sanitized by normalize)
	markdown string // a Parley export's Markdown source, if any
	adapter  []byte // the site adapter's state, loaded once per import
	sig      dedupe.Signature
}

// normClassifier is a classifier that can take the text already normalized
// (classify.Model).
type normClassifier interface {
	ClassifyNormalized(ctx context.Context, text string, n textnorm.Result) (parley.Verdict, error)
}

// errImportEmpty and errImportUTF8 are the reasons normalize refuses an
// imported comment; the importer reports them with the record's line.
var (
	errImportEmpty = errors.New("comment is empty once its HTML is sanitized")
	errImportUTF8  = errors.New("comment text is not valid UTF-8")
)

// normalizeImport is the normalize stage of an imported comment.
func (s *Service) normalizeImport(w *write) error {
	c, iw := w.c, w.imp
	switch {
	case iw.markdown != "" && iw.html != "": // Parley's own export
		c.Body, c.HTML = iw.markdown, s.renderer.SanitizeHTML(iw.html)
	case iw.markdown != "":
		c.Body, c.HTML = iw.markdown, s.renderer.HTML(iw.markdown)
	default:
		c.HTML = s.renderer.SanitizeHTML(iw.html)
		c.Body = render.Text(c.HTML)
	}
	if !utf8.ValidString(c.Body) {
		return errImportUTF8
	}
	if strings.TrimSpace(c.Body) == "" {
		return errImportEmpty
	}
	w.norm = textnorm.Normalize(c.Body)
	c.NormHash = normHashOf(w.norm.Text)
	if s.index != nil && c.NormHash != "" {
		iw.sig = dedupe.SignNormalized(w.norm.Text)
	}
	return nil
}

// normHashOf is the hash of a normalized text's duplicate key, or "" when
// the text has nothing to compare (no letters or digits, such as emoji only).
func normHashOf(norm string) string {
	key := textnorm.DuplicateKeyOf(norm)
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// verdict classifies text, handing the classifier the normalization the
// pipeline already made when it can take it.
func (s *Service) verdict(ctx context.Context, text string, norm textnorm.Result) (parley.Verdict, error) {
	if nc, ok := s.classifier.(normClassifier); ok {
		return nc.ClassifyNormalized(ctx, text, norm)
	}
	return s.classifier.Classify(ctx, text)
}

// classifyImport is the classifier part of the classify stage of an
// imported comment: the normalization of normalize is reused, and the site
// adapter's state was loaded once for the whole import.
func (s *Service) classifyImport(ctx context.Context, w *write) {
	if s.classifier == nil {
		return
	}
	c, iw := w.c, w.imp
	v, err := s.verdict(ctx, c.Body, w.norm)
	if err != nil {
		return // unscored, like a live comment whose classification failed
	}
	if s.adapter != nil && iw.adapter != nil {
		if adj, err := s.adapter.Adjust(ctx, iw.adapter, c.Body, v); err == nil {
			v = adj
		}
	}
	applyVerdict(c, v)
}

// runImportStages runs the normalize and classify stages on every write in
// ws, on all cores, and returns each write's error (nil if it passed).
func (s *Service) runImportStages(ctx context.Context, ws []*write) []error {
	errs := make([]error, len(ws))
	var wg sync.WaitGroup
	var next sync.Mutex
	i := 0
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				lo := i
				i = min(len(ws), i+16)
				hi := i
				next.Unlock()
				if lo == hi {
					return
				}
				for k := lo; k < hi; k++ {
					w := ws[k]
					if errs[k] = s.normalize(ctx, w); errs[k] == nil {
						errs[k] = s.classifyWrite(ctx, w)
					}
					// The normalized text (with its offset map, eight bytes
					// per byte of text) is not needed after classify.
					w.norm = textnorm.Result{}
				}
			}
		}()
	}
	wg.Wait()
	return errs
}
