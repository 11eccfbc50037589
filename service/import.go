package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/transfer"
)

// DefaultImportBatch is how many comments one import transaction writes.
const DefaultImportBatch = 5000

// maxReportProblems bounds the problems an ImportReport lists one by one;
// the counts are always complete.
const maxReportProblems = 1000

// ImportOptions configures an import.
type ImportOptions struct {
	SiteID string
	Format string // one of transfer.Formats
	// Strict commits nothing unless the whole file imports without a
	// skipped record; the import then runs in one transaction.
	Strict bool
	// BatchSize is the number of comments per transaction (non-strict).
	BatchSize int
	// Progress, when set, is called after each committed batch.
	Progress func(ImportProgress)
}

// ImportProgress is the running count of an import.
type ImportProgress struct {
	Records  int // records read from the file
	Imported int // comments written so far
	Skipped  int
}

// ImportProblem is one record the import skipped or changed.
type ImportProblem struct {
	Line     int    `json:"line,omitempty"`
	SourceID string `json:"source_id,omitempty"`
	Reason   string `json:"reason"`
}

// ImportReport says what an import did.
type ImportReport struct {
	Format         string                `json:"format"`
	Threads        int                   `json:"threads"`         // source threads read
	StoriesCreated int                   `json:"stories_created"` // new stories (others existed by URL)
	Imported       map[parley.Status]int `json:"imported"`        // comments written, by status
	Unchanged      int                   `json:"unchanged"`       // already imported by an earlier run
	Deleted        int                   `json:"deleted"`         // deleted in the source: not imported
	Ignored        int                   `json:"ignored"`         // pingbacks and trackbacks
	Skipped        int                   `json:"skipped"`         // malformed or unusable records
	TopLevel       int                   `json:"top_level"`       // replies whose parent is missing, made top-level
	Problems       []ImportProblem       `json:"problems,omitempty"`
	Notices        []ImportProblem       `json:"notices,omitempty"` // the TopLevel replies
	Fatal          string                `json:"fatal,omitempty"`   // why reading stopped early
	Committed      bool                  `json:"committed"`
	Duration       time.Duration         `json:"duration_ns"`
}

// ImportedTotal is the number of comments written.
func (r *ImportReport) ImportedTotal() int {
	n := 0
	for _, v := range r.Imported {
		n += v
	}
	return n
}

// Count is the number of comments written with a status.
func (r *ImportReport) Count(status string) int { return r.Imported[parley.Status(status)] }

func (r *ImportReport) skip(line int, sourceID, reason string) {
	r.Skipped++
	if len(r.Problems) < maxReportProblems {
		r.Problems = append(r.Problems, ImportProblem{Line: line, SourceID: sourceID, Reason: reason})
	}
}

func (r *ImportReport) notice(line int, sourceID, reason string) {
	r.TopLevel++
	if len(r.Notices) < maxReportProblems {
		r.Notices = append(r.Notices, ImportProblem{Line: line, SourceID: sourceID, Reason: reason})
	}
}

// OpenFunc opens the file being imported. Import may call it more than once
// (a strict import retried after a transient database failure).
type OpenFunc func() (transfer.Decoder, func() error, error)

// Import reads a file of another comment system (or a Parley export) into
// a site. Threads become stories (matched by URL), comments keep their
// parents, authors, original times and states; deleted comments are counted
// and left out. Imported comments are classified and indexed for
// duplicates but not re-moderated, and nobody is notified. Importing the
// same file again changes nothing: comments are keyed on (site, format,
// source ID).
//
// Without Strict, every batch of comments commits on its own; a reply is
// only written once its parent is, so no thread is ever half-written, and a
// file that stops early (truncated) still commits what came before. With
// Strict the whole import is one transaction that commits only if no record
// was skipped and the file read to its end.
//
// Import returns the report and, when reading stopped early or a strict
// import failed, an EINVALID error that says where.
func (s *Service) Import(ctx context.Context, o ImportOptions, open OpenFunc) (*ImportReport, error) {
	if _, err := s.store.GetSite(ctx, o.SiteID); err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			return nil, parley.Errorf(parley.EINVALID, "Unknown site %q.", o.SiteID)
		}
		return nil, err
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultImportBatch
	}
	start := time.Now()
	defer func() {
		// One hint for caches (public threads) that the site changed. It is
		// not a comment event: nobody is notified of imported comments.
		s.publish(ctx, parley.Event{Type: parley.EventSiteUpdated, SiteID: o.SiteID, At: s.now()})
	}()
	bulk, release, err := s.openBulk(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if !o.Strict {
		rep, err := s.runImport(ctx, bulk, s.store, o, open)
		if rep != nil {
			rep.Duration = time.Since(start)
			rep.Committed = rep.ImportedTotal() > 0 || err == nil
		}
		return rep, err
	}
	var rep *ImportReport
	var fail error
	err = bulk.InTx(ctx, func(tx parley.Store) error {
		var err error
		rep, err = s.runImport(ctx, tx, tx, o, open)
		if err != nil {
			return err
		}
		if rep.Skipped > 0 {
			fail = parley.Errorf(parley.EINVALID, "Strict import: %d record(s) could not be imported, so nothing was; the report lists them.", rep.Skipped)
			return fail
		}
		return nil
	})
	if rep != nil {
		rep.Duration = time.Since(start)
		rep.Committed = err == nil
	}
	if err != nil && rep != nil {
		rep.Imported = map[parley.Status]int{}
		rep.StoriesCreated = 0
	}
	return rep, err
}

// importItem is one comment on its way in: its write through the
// pipeline (pipeline_import.go) and where it came from.
type importItem struct {
	src    *transfer.Comment
	thread *importThread
	w      *write
}

type importThread struct {
	src     *transfer.Thread
	storyID string
	url     string
	bad     string // why the thread cannot be imported
}

// seenComment is what the importer remembers of each source comment: its
// Parley ID (once its batch is flushed), its thread, and whether it is
// written. A file of a million comments keeps a million of them, so they
// are small: kept by value in one slice, the ID in binary.
type seenComment struct {
	thread  *importThread
	id      ulid.ULID
	hasID   bool
	written bool
}

// seenGet returns what is remembered of source comment sid. The pointer is
// valid until the next seenAdd.
func (imp *importer) seenGet(sid string) (*seenComment, bool) {
	i, ok := imp.seen[sid]
	if !ok {
		return nil, false
	}
	return &imp.seenList[i], true
}

func (imp *importer) seenAdd(sid string, th *importThread) {
	imp.seen[strings.Clone(sid)] = int32(len(imp.seenList))
	imp.seenList = append(imp.seenList, seenComment{thread: th})
}

// setID records the Parley ID of a seen comment.
func (sc *seenComment) setID(id string) {
	u, err := ulid.ParseStrict(id)
	sc.id, sc.hasID = u, err == nil
}

// parleyID is the Parley ID of a seen comment ("" if none yet).
func (sc *seenComment) parleyID() string {
	if !sc.hasID {
		return ""
	}
	return sc.id.String()
}

type importer struct {
	s        *Service
	st       parley.Store // writes: the bulk store, or a strict import's transaction
	rd       parley.Store // reads
	o        ImportOptions
	site     *parley.Site
	settings parley.Settings
	rep      *ImportReport
	threads  map[string]*importThread
	seen     map[string]int32 // source ID -> index in seenList
	seenList []seenComment
	waiting  map[string][]*importItem // parent source ID -> replies held until it is written
	gone     map[string]string        // source IDs deleted or skipped -> why
	batch    []*importItem
	adapter  []byte
	latest   time.Time       // the newest comment time indexed
	users    map[string]bool // Parley exports: account IDs that exist here

	// The writer goroutine (non-strict imports) and what it shares.
	wq       chan writeJob
	wdone    chan struct{}
	werr     error      // set by the writer before wdone closes
	mu       sync.Mutex // guards rep's counts and progress while the writer runs
	progress ImportProgress
}

func (s *Service) runImport(ctx context.Context, st, rd parley.Store, o ImportOptions, open OpenFunc) (*ImportReport, error) {
	site, err := rd.GetSite(ctx, o.SiteID)
	if err != nil {
		return nil, err
	}
	dec, closeFn, err := open()
	if err != nil {
		var se *transfer.SyntaxError
		if errors.As(err, &se) {
			return nil, parley.WrapErrorf(parley.EINVALID, err, "The file is malformed: %v", se)
		}
		return nil, parley.WrapErrorf(parley.EINVALID, err, "Cannot open the file: %v", err)
	}
	defer closeFn()
	imp := &importer{s: s, st: st, rd: rd, o: o, site: site, settings: site.Settings.WithDefaults(),
		rep:     &ImportReport{Format: o.Format, Imported: map[parley.Status]int{}},
		threads: map[string]*importThread{}, seen: map[string]int32{}, waiting: map[string][]*importItem{},
		gone: map[string]string{}, users: map[string]bool{}}
	if s.adapter != nil && s.classifier != nil {
		if state, err := s.store.GetSiteAdapter(ctx, o.SiteID); err == nil { // outside a strict import's transaction: no row lock
			imp.adapter = state
		}
	}

	// The decoder runs ahead in its own goroutine while batches are
	// classified and written.
	type next struct {
		rec transfer.Record
		err error
	}
	recs := make(chan next, 4096)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(recs)
		for {
			r, err := dec.Next()
			select {
			case recs <- next{r, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	if !o.Strict {
		imp.startWriter(ctx)
		defer imp.stopWriter()
	}
	var fatal error
	for n := range recs {
		if n.err != nil {
			if n.err != io.EOF {
				fatal = n.err
			}
			break
		}
		if err := imp.record(ctx, n.rec); err != nil {
			return imp.rep, err
		}
		imp.mu.Lock()
		imp.progress.Records++
		imp.progress.Skipped = imp.rep.Skipped
		imp.mu.Unlock()
		if len(imp.batch) >= o.BatchSize {
			if err := imp.flush(ctx); err != nil {
				return imp.rep, err
			}
		}
		if err := ctx.Err(); err != nil {
			return imp.rep, err
		}
	}
	if err := imp.flush(ctx); err != nil {
		return imp.rep, err
	}
	if err := imp.orphans(ctx); err != nil {
		return imp.rep, err
	}
	if err := imp.stopWriter(); err != nil {
		return imp.rep, err
	}
	if fatal != nil {
		imp.rep.Fatal = fatal.Error()
		return imp.rep, parley.WrapErrorf(parley.EINVALID, fatal, "The file could not be read to its end: %v", fatal)
	}
	return imp.rep, nil
}

// record handles one decoded record.
func (imp *importer) record(ctx context.Context, r transfer.Record) error {
	switch {
	case r.Thread != nil:
		t := r.Thread
		if _, dup := imp.threads[t.SourceID]; dup {
			return nil
		}
		it := &importThread{src: t}
		u, err := normalizeStoryURL(t.URL)
		if err != nil {
			it.bad = fmt.Sprintf("its thread's URL %q is not an absolute http(s) URL", t.URL)
		}
		it.url = u
		imp.threads[t.SourceID] = it
		imp.rep.Threads++
	case r.Skip != nil:
		if r.Skip.Reason == "pingback" || r.Skip.Reason == "trackback" || strings.HasPrefix(r.Skip.Reason, "comment type ") {
			imp.rep.Ignored++
			return nil
		}
		imp.rep.skip(r.Skip.Line, r.Skip.SourceID, r.Skip.Reason)
	case r.Comment != nil:
		return imp.comment(ctx, r.Comment)
	}
	return nil
}

func (imp *importer) comment(ctx context.Context, c *transfer.Comment) error {
	rep := imp.rep
	if c.SourceID == "" {
		rep.skip(c.Line, "", "comment has no ID")
		return nil
	}
	if _, dup := imp.seenGet(c.SourceID); dup {
		rep.skip(c.Line, c.SourceID, "a comment with this ID appeared earlier in the file")
		return nil
	}
	if c.State == transfer.StateDeleted {
		rep.Deleted++
		imp.gone[c.SourceID] = "was deleted"
		return nil
	}
	th, ok := imp.threads[c.ThreadID]
	if !ok {
		rep.skip(c.Line, c.SourceID, fmt.Sprintf("comment names thread %q, which is not in the file", c.ThreadID))
		imp.gone[c.SourceID] = "was skipped"
		return nil
	}
	if th.bad != "" {
		rep.skip(c.Line, c.SourceID, "comment cannot be imported: "+th.bad)
		imp.gone[c.SourceID] = "was skipped"
		return nil
	}
	userID := false
	if imp.o.Format == "parley" && c.AuthorUserID != "" {
		// A Parley export names accounts; keep the link when the account
		// exists here (an export re-imported into the same installation).
		known, ok := imp.users[c.AuthorUserID]
		if !ok {
			_, err := imp.rd.GetUser(ctx, c.AuthorUserID)
			if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
				return err
			}
			known = err == nil
			imp.users[c.AuthorUserID] = known
		}
		userID = known
	}
	w, err := imp.validate(c, userID)
	if err != nil {
		rep.skip(c.Line, c.SourceID, err.Error())
		imp.gone[c.SourceID] = "was skipped"
		return nil
	}
	imp.seenAdd(c.SourceID, th)
	imp.batch = append(imp.batch, &importItem{src: c, thread: th, w: w})
	return nil
}

// validate is the validate stage of an imported comment: it checks the
// record and makes the write that the other stages fill in, with the
// comment's author, state and dates (its text is normalize's).
func (imp *importer) validate(src *transfer.Comment, userID bool) (*write, error) {
	c := &parley.Comment{SiteID: imp.o.SiteID, ClientIP: src.AuthorIP, Version: 1}
	if userID {
		c.AuthorUserID = src.AuthorUserID
	}
	c.AuthorName = truncateRunes(strings.TrimSpace(src.AuthorName), MaxNameChars)
	if c.AuthorName == "" {
		c.AuthorName = "Anonymous"
	}
	if src.AuthorEmail != "" {
		if e, err := normalizeEmail(src.AuthorEmail); err == nil {
			c.GuestEmail = e
		}
	}
	switch {
	case src.AuthorKey != "":
		c.AuthorKey = src.AuthorKey
	case c.GuestEmail != "":
		c.AuthorKey = "e:" + c.GuestEmail
	case src.AuthorUserID != "":
		c.AuthorKey = "x:" + imp.o.Format + ":" + src.AuthorUserID
	default:
		c.AuthorKey = "n:" + imp.o.Format + ":" + strings.ToLower(c.AuthorName)
	}
	switch src.State {
	case transfer.StateApproved:
		c.Status = parley.StatusApproved
	case transfer.StatePending:
		c.Status = parley.StatusPending
	case transfer.StateSpam:
		c.Status, c.Reason = parley.StatusSpam, parley.ReasonSpam
	case transfer.StateRejected:
		c.Status, c.Reason = parley.StatusRejected, parley.Reason(src.Reason)
		if !c.Reason.Valid() {
			c.Reason = parley.ReasonOther
		}
	default:
		return nil, fmt.Errorf("unknown state %q", src.State)
	}
	if src.Reason != "" && parley.Reason(src.Reason).Valid() {
		c.Reason = parley.Reason(src.Reason)
	}
	c.ModeratorNote, c.ModeratedBy = src.ModeratorNote, src.ModeratedBy
	c.ModeratedAt = us(src.ModeratedAt)
	c.EditedAt = us(src.EditedAt)
	if src.CreatedAt.IsZero() {
		return nil, errors.New("comment has no date")
	}
	c.CreatedAt = us(src.CreatedAt)
	c.UpdatedAt = c.CreatedAt
	if !c.EditedAt.IsZero() {
		c.UpdatedAt = c.EditedAt
	}
	return &write{kind: writeImport, now: c.CreatedAt, site: imp.site, settings: imp.settings, c: c,
		imp: &importWrite{html: src.HTML, markdown: src.Markdown, adapter: imp.adapter}}, nil
}

func us(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// flush processes the batch: comments already imported are recognised
// (and not processed again); the others run the normalize and classify
// stages on all cores, get their IDs, and those whose parent is not
// written yet are held back; the rest, with every held reply they unblock,
// go on through dedupe and are written in one transaction, parents before
// replies.
func (imp *importer) flush(ctx context.Context) error {
	batch := imp.batch
	imp.batch = nil
	if len(batch) == 0 {
		return nil
	}
	ids := make([]string, len(batch))
	for i, it := range batch {
		ids[i] = it.src.SourceID
	}
	existing, err := imp.rd.ImportedIDs(ctx, imp.o.SiteID, imp.o.Format, ids)
	if err != nil {
		return err
	}
	var ready, fresh []*importItem
	for _, it := range batch {
		sid := it.src.SourceID
		if id, ok := existing[sid]; ok {
			sc, _ := imp.seenGet(sid)
			sc.setID(id)
			sc.written = true
			imp.rep.Unchanged++
			ready = append(ready, imp.adopt(sid)...)
			continue
		}
		fresh = append(fresh, it)
	}
	ws := make([]*write, len(fresh))
	for i, it := range fresh {
		ws[i] = it.w
	}
	errs := imp.s.runImportStages(ctx, ws)
	kept := fresh[:0]
	for i, it := range fresh {
		if errs[i] != nil {
			sid := it.src.SourceID
			imp.rep.skip(it.src.Line, sid, errs[i].Error())
			delete(imp.seen, sid)
			imp.gone[sid] = "was skipped"
			continue
		}
		kept = append(kept, it)
	}
	fresh = kept
	for _, it := range fresh {
		it.w.c.ID = imp.newID(it)
		sc, _ := imp.seenGet(it.src.SourceID)
		sc.setID(it.w.c.ID)
	}
	for _, it := range fresh {
		p := it.src.ParentID
		if why, ok := imp.gone[p]; ok {
			imp.rep.notice(it.src.Line, it.src.SourceID, "its parent "+p+" "+why+"; imported as a top-level comment")
			ready = append(ready, it)
		} else if sc, ok := imp.seenGet(p); p == "" || ok && sc.written {
			ready = append(ready, imp.withParent(it, p))
		} else {
			imp.waiting[p] = append(imp.waiting[p], it)
		}
	}
	return imp.writeReady(ctx, ready)
}

// newID returns a Parley ID for a new comment: the Parley export's own ID,
// or a new ULID of the comment's original time, so threads sort by time.
func (imp *importer) newID(it *importItem) string {
	if imp.o.Format == "parley" {
		if _, err := ulid.ParseStrict(it.src.ParleyID); err == nil {
			return it.src.ParleyID
		}
	}
	return parley.NewID(it.w.c.CreatedAt)
}

// writeReady adds to ready every held reply whose parent is in it (at any
// depth), then writes them all.
func (imp *importer) writeReady(ctx context.Context, ready []*importItem) error {
	for i := 0; i < len(ready); i++ {
		ready = append(ready, imp.adopt(ready[i].src.SourceID)...)
	}
	if len(ready) == 0 {
		return nil
	}
	if err := imp.write(ctx, ready); err != nil {
		return err
	}
	for _, it := range ready {
		sc, _ := imp.seenGet(it.src.SourceID)
		sc.written = true
	}
	return nil
}

// adopt returns the replies held for parent sid, now that it is written
// or about to be, with their parent set.
func (imp *importer) adopt(sid string) []*importItem {
	kids := imp.waiting[sid]
	if len(kids) == 0 {
		return nil
	}
	delete(imp.waiting, sid)
	for _, k := range kids {
		imp.withParent(k, sid)
	}
	return kids
}

// withParent sets it's parent to the comment imported from source ID p
// ("" for none). A parent in another thread makes it top-level.
func (imp *importer) withParent(it *importItem, p string) *importItem {
	if p == "" {
		return it
	}
	sc, _ := imp.seenGet(p)
	if sc.thread != it.thread {
		imp.rep.notice(it.src.Line, it.src.SourceID, "its parent "+p+" is in another thread; imported as a top-level comment")
		return it
	}
	it.w.c.ParentID = sc.parleyID()
	return it
}

// orphans writes the replies still held at the end of the file: their
// parent is missing (never in the file, deleted or skipped), so they
// become top-level, and their own replies follow them.
func (imp *importer) orphans(ctx context.Context) error {
	for len(imp.waiting) > 0 {
		var ready []*importItem
		for p, kids := range imp.waiting {
			if sc, ok := imp.seenGet(p); ok && sc.hasID {
				continue // waits for a parent that is itself waiting
			}
			delete(imp.waiting, p)
			for _, k := range kids {
				imp.rep.notice(k.src.Line, k.src.SourceID, "its parent "+p+" is not in the file (or was deleted or skipped); imported as a top-level comment")
			}
			ready = append(ready, kids...)
		}
		if len(ready) == 0 { // a cycle of replies: break it
			for p, kids := range imp.waiting {
				delete(imp.waiting, p)
				for _, k := range kids {
					imp.rep.notice(k.src.Line, k.src.SourceID, "its parent "+p+" is one of its own replies; imported as a top-level comment")
				}
				ready = append(ready, kids...)
				break
			}
		}
		sortItems(ready)
		if err := imp.writeReady(ctx, ready); err != nil {
			return err
		}
	}
	return nil
}

// sortItems orders items by their position in the file.
func sortItems(items []*importItem) {
	slices.SortFunc(items, func(a, b *importItem) int { return cmp.Compare(a.src.Line, b.src.Line) })
}

// write runs the dedupe, decide and publish stages on items in file order
// and hands them to persist: one transaction (the writer goroutine's, for a
// non-strict import).
func (imp *importer) write(ctx context.Context, items []*importItem) error {
	s := imp.s
	// A comment of this batch that a later one matches is not stored yet:
	// it joins the cluster here rather than in the database.
	pending := map[string]*importItem{}
	for _, it := range items {
		pending[it.w.c.ID] = it
	}
	var joins, joinCluster []string
	for _, it := range items {
		w := it.w
		if err := s.dedupe(ctx, w); err != nil {
			return err
		}
		if w.c.ClusterID != "" {
			for _, id := range w.match.Unclustered {
				if o, ok := pending[id]; ok {
					if o.w.c.ClusterID == "" {
						o.w.c.ClusterID = w.c.ClusterID
						s.index.SetCluster(id, w.c.ClusterID)
					}
					continue
				}
				joins = append(joins, id)
				joinCluster = append(joinCluster, w.c.ClusterID)
			}
		}
		if err := s.decide(ctx, w); err != nil {
			return err
		}
		// Published to the index before the batch commits, so that the
		// next comments of the batch are compared with it. A batch that
		// fails leaves entries for comments that are not stored; they
		// match nothing that a cluster could join.
		if err := s.publishWrite(ctx, w); err != nil {
			return err
		}
		if w.c.CreatedAt.After(imp.latest) {
			imp.latest = w.c.CreatedAt
		}
	}
	if s.index != nil {
		// Files are mostly in time order: comments older than the window
		// before the newest one can no longer match, so the index's memory
		// stays bounded however long the file is. (On a live server the
		// window is measured from now, so this drops nothing recent.)
		s.index.Expire(imp.latest)
	}
	job := writeJob{items: items, joins: joins, joinCluster: joinCluster}
	if imp.wq == nil {
		return imp.commit(ctx, job)
	}
	select {
	case imp.wq <- job:
		return nil
	case <-imp.wdone: // the writer stopped on an error
		return imp.werr
	}
}

// writeJob is one batch of comments ready to commit.
type writeJob struct {
	items       []*importItem
	joins       []string // comments already stored that join a cluster
	joinCluster []string
}

// startWriter commits batches in a goroutine, in order, while the next
// batch is classified. Strict imports (one transaction) do not use it.
//
// When the writer is the slower side (SQLite at a million comments, where
// every insert into the indexes by author lands on a random page), the
// next batch is already waiting when a commit ends: the writer then takes
// it with the batch in hand into one transaction (merge), so an index
// page that both batches touch is read and written to the WAL once, and
// the commit's fsync is shared. Batches are merged whole, so a thread is
// still never half-written, and the progress counts a batch once it is
// committed.
func (imp *importer) startWriter(ctx context.Context) {
	wq, wdone := make(chan writeJob, 1), make(chan struct{})
	imp.wq, imp.wdone = wq, wdone
	go func() {
		defer close(wdone)
		for job := range wq {
			select {
			case next, ok := <-wq:
				if ok {
					job = job.merge(next)
				}
			default:
			}
			if err := imp.commit(ctx, job); err != nil {
				imp.werr = err
				return
			}
		}
	}()
}

// merge returns j followed by next, to commit in one transaction.
func (j writeJob) merge(next writeJob) writeJob {
	return writeJob{
		items:       slices.Concat(j.items, next.items),
		joins:       slices.Concat(j.joins, next.joins),
		joinCluster: slices.Concat(j.joinCluster, next.joinCluster),
	}
}

// stopWriter waits for the writer to commit what it was given and returns
// its error.
func (imp *importer) stopWriter() error {
	if imp.wq == nil {
		return nil
	}
	close(imp.wq)
	imp.wq = nil
	<-imp.wdone
	return imp.werr
}

// commit is the persist stage of a batch: the stories its threads need
// and its comments, in one transaction. Thread story IDs are only read and
// set here (the writer goroutine).
func (imp *importer) commit(ctx context.Context, job writeJob) error {
	var created []*importThread
	rows := make([]parley.ImportedComment, len(job.items))
	var set []*importThread // threads given a story ID by this attempt
	err := imp.st.InTx(ctx, func(tx parley.Store) error {
		for _, th := range set { // a retried transaction: nothing of the last attempt is stored
			th.storyID = ""
		}
		set, created = set[:0], created[:0]
		for _, it := range job.items {
			th := it.thread
			if th.storyID == "" {
				id, isNew, err := imp.story(ctx, tx, it)
				if err != nil {
					return err
				}
				th.storyID = id
				set = append(set, th)
				if isNew {
					created = append(created, th)
				}
			}
			it.w.c.StoryID = th.storyID
		}
		for i, it := range job.items {
			rows[i] = parley.ImportedComment{Comment: it.w.c, Source: imp.o.Format, SourceID: it.src.SourceID, SourceUserID: it.src.AuthorUserID}
		}
		if err := tx.ImportComments(ctx, rows); err != nil {
			return err
		}
		for i, id := range job.joins {
			if err := imp.s.joinCluster(ctx, tx, job.joinCluster[i], []string{id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, th := range set { // not stored after all
			th.storyID = ""
		}
		return err
	}
	imp.mu.Lock()
	imp.rep.StoriesCreated += len(created)
	for _, r := range rows {
		imp.rep.Imported[r.Comment.Status]++
	}
	imp.progress.Imported = imp.rep.ImportedTotal()
	p := imp.progress
	imp.mu.Unlock()
	if imp.o.Progress != nil {
		imp.o.Progress(p)
	}
	return nil
}

// story returns the story ID for an item's thread: the story with its URL,
// or a new one, and whether it is new.
func (imp *importer) story(ctx context.Context, tx parley.Store, it *importItem) (string, bool, error) {
	th := it.thread
	created := us(th.src.CreatedAt)
	if created.IsZero() {
		created = it.w.c.CreatedAt
	}
	title := truncateRunes(strings.TrimSpace(th.src.Title), MaxTitleChars)
	if title == "" {
		title = th.url
	}
	mode := parley.ModerationMode(th.src.Mode)
	if !mode.Valid() {
		mode = ""
	}
	st := &parley.Story{ID: parley.NewID(created), SiteID: imp.o.SiteID, URL: th.url, Title: title, Closed: th.src.Closed, Mode: mode, CreatedAt: created}
	got, err := tx.EnsureStory(ctx, st)
	if err != nil {
		return "", false, err
	}
	return got.ID, got.ID == st.ID, nil
}
