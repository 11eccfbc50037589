package service

import (
	"context"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/textnorm"
)

// The write pipeline: every comment write (a post, an edit) runs the same
// named stages, in this order, so that no path skips a
// check. Each stage is a small method below (or in pipeline_stages.go);
// runWrite runs them. A stage returns an error to stop the write, or sets
// w.done to finish it early with w's current result (an idempotent replay).
//
//	validate   the input, the site, the author, the story and the parent;
//	           sanctions, rate limits and idempotent replays
//	normalize  the rendered HTML (refused when nothing would show), the
//	           duplicate key, the story title suggestion
//	classify   classifier scores, the site adapter, spam signals
//	dedupe     the same author's exact resubmission; near-duplicate clusters
//	decide     the site's automatic decisions (staff, trusted, auto-reject, spam)
//	persist    one transaction: story, comment, revision, cluster, audit
//	publish    the duplicate index and the live event, after the commit
//
// Imports (import.go) run the same stage functions a batch at a time
// (pipeline_import.go): normalize and classify on all cores, dedupe,
// decide and publish in file order, persist thousands of comments per
// transaction; they are not re-moderated and publish no comment events.
var pipeline = []struct {
	name string
	run  func(s *Service, ctx context.Context, w *write) error
}{
	{"validate", (*Service).validate},
	{"normalize", (*Service).normalize},
	{"classify", (*Service).classifyWrite},
	{"dedupe", (*Service).dedupe},
	{"decide", (*Service).decide},
	{"persist", (*Service).persist},
	{"publish", (*Service).publishWrite},
}

// runWrite runs w through every stage of the pipeline in order.
func (s *Service) runWrite(ctx context.Context, w *write) error {
	for _, st := range pipeline {
		if err := st.run(s, ctx, w); err != nil {
			return err
		}
		if w.done {
			return nil
		}
	}
	return nil
}

// writeKind is the use case a write comes from.
type writeKind int

const (
	writePost   writeKind = iota // a new comment from the widget or the API
	writeEdit                    // an author's edit of their own comment
	writeImport                  // a comment from an import file (pipeline_import.go)
)

// write is one comment write on its way through the pipeline. The input
// fields are set by the caller; each stage fills in what it finds.
type write struct {
	// Input.
	kind   writeKind
	author Author
	in     PostInput
	editID string       // writeEdit: the comment being edited
	imp    *importWrite // writeImport: the source text and shared work

	// validate
	now        time.Time
	site       *parley.Site
	settings   parley.Settings
	role       parley.Role
	sanctions  []*parley.Sanction
	storyURL   string
	story      *parley.Story // nil until the first comment creates it
	guestToken string
	scope      string          // idempotency scope: site and author key
	prev       *parley.Comment // writeEdit: the comment as stored before the edit
	// c is the comment being written: for a post or an import the new
	// comment, for an edit a copy of prev carrying the new text and scores
	// (persist applies it to the stored row).
	c *parley.Comment

	// normalize
	title string // the story title suggested by the writer, cleaned

	// dedupe
	match dedupe.Match
	norm  textnorm.Result   // the body normalized once, by normalize, for the duplicate key, the signature and the classifier
	sig   *dedupe.Signature // the text's signature, once computed

	// decide
	decision postDecision

	// A stage sets done to end the write early with result.
	done   bool
	result *PostResult
}

// newComment reports whether the write creates a comment (post or import).
func (w *write) newComment() bool { return w.kind != writeEdit }

// Post validates and stores a new comment. It is pending unless policy
// says otherwise (staff, trusted authors under post-moderation, spam
// holds, auto-reject). Returns EINVALID, ETOOLARGE, ECLOSED, ESANCTIONED,
// EDUPLICATE (with Fields["comment_id"]), ERATELIMITED or EFORBIDDEN.
func (s *Service) Post(ctx context.Context, a Author, in PostInput) (*PostResult, error) {
	w := &write{kind: writePost, author: a, in: in}
	if err := s.runWrite(ctx, w); err != nil {
		return nil, err
	}
	return w.result, nil
}

// Edit changes a comment's text within the site's edit window. Only its
// author may edit. The edit runs the same pipeline as a post: the link
// check, the classifier and the site's automatic decisions. An approved
// comment keeps its public text until a moderator (or policy) approves the
// edit; until then the edit waits in the queue.
func (s *Service) Edit(ctx context.Context, a Author, id, body string) (*parley.Comment, error) {
	w := &write{kind: writeEdit, author: a, editID: id, in: PostInput{Body: body}}
	if err := s.runWrite(ctx, w); err != nil {
		return nil, err
	}
	return w.result.Comment, nil
}
