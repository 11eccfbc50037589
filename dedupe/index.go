package dedupe

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/parley-comments/parley"
)

// Options configures an Index. Zero values mean the defaults below.
type Options struct {
	// Window is how far apart in time two comments may be and still match,
	// and how long comments stay in the index. Default
	// parley.DefaultClusterWindow (7 days).
	Window time.Duration
	// Threshold is the minimum estimated Jaccard similarity of the two
	// texts' 5-rune shingle sets for a match. Default DefaultThreshold.
	Threshold float64
	// MinInformative is the minimum number of informative words (at least
	// three letters, not on the stoplist) a text needs to cluster at all.
	// Default DefaultMinInformative.
	MinInformative int
	// MinRunes is the minimum number of letters and digits a text needs to
	// cluster at all. Default DefaultMinRunes.
	MinRunes int
	// CommonMaxWords is the length, in words, up to which a text can be
	// declared common by use: independent people do write the same ten
	// words, nobody independently writes the same thirty. Default
	// DefaultCommonMaxWords.
	CommonMaxWords int
	// CommonAuthors and CommonSites: a text of at most CommonMaxWords words
	// whose exact normalized form was posted by at least CommonAuthors
	// distinct authors on at least CommonSites sites within the window is
	// common, not a campaign. Defaults DefaultCommonAuthors and
	// DefaultCommonSites.
	CommonAuthors int
	CommonSites   int
	// MaxMatches caps Match.Matches. Default DefaultMaxMatches.
	MaxMatches int
	// Segments is how many time segments one window is split into. Whole
	// segments are dropped on expiry. Default 7 (one day for a 7-day
	// window).
	Segments int
}

// Defaults for Options. See docs/duplicates.md for how they were measured.
const (
	DefaultThreshold      = 0.5
	DefaultMinInformative = 4
	DefaultMinRunes       = 24
	DefaultCommonMaxWords = 12
	DefaultCommonAuthors  = 10
	DefaultCommonSites    = 3
	DefaultMaxMatches     = 100
	defaultSegments       = 7
)

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = parley.DefaultClusterWindow
	}
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.MinInformative <= 0 {
		o.MinInformative = DefaultMinInformative
	}
	if o.MinRunes <= 0 {
		o.MinRunes = DefaultMinRunes
	}
	if o.CommonMaxWords <= 0 {
		o.CommonMaxWords = DefaultCommonMaxWords
	}
	if o.CommonAuthors <= 0 {
		o.CommonAuthors = DefaultCommonAuthors
	}
	if o.CommonSites <= 0 {
		o.CommonSites = DefaultCommonSites
	}
	if o.MaxMatches <= 0 {
		o.MaxMatches = DefaultMaxMatches
	}
	if o.Segments <= 0 {
		o.Segments = defaultSegments
	}
	return o
}

// Doc is one comment as the index sees it. Text is used to compute the
// signature and is not kept.
type Doc struct {
	SiteID    string
	CommentID string
	// AuthorKey is parley.Comment.AuthorKey; comments by the same author
	// never match each other here (same-author duplicates are checked
	// exactly in the database).
	AuthorKey string
	// ClusterID is the comment's cluster, if it already has one.
	ClusterID string
	Text      string
	At        time.Time
}

// Match is the result of Check.
type Match struct {
	// ClusterID is the cluster the checked comment joins, or "" if it
	// matched nothing. When it differs from the cluster of a matched
	// comment that had none, the caller sets it on that comment too (see
	// Check).
	ClusterID string
	// Matches holds the matched comments' IDs, earliest first. There are
	// at most Options.MaxMatches; the search stops when it has that many,
	// scanning the oldest time segments first, so for a very large cluster
	// they are among the earliest but not necessarily the very earliest.
	// The cluster's size is the database's to count.
	Matches []string
	// Unclustered lists the matched comments that have no cluster yet and
	// should get ClusterID, earliest first.
	Unclustered []string
	// Common reports that the text is too short, too uninformative or too
	// common to form a campaign; Matches is then empty.
	Common bool
	// Reason explains the result to a moderator or a log reader.
	Reason string
}

// Stats describes an Index.
type Stats struct {
	Docs       int   // comments indexed
	Sites      int   // sites seen
	Segments   int   // time segments held
	CommonKeys int   // short texts tracked for commonness
	Bytes      int64 // estimate of the memory held, excluding Go runtime overhead
}

// Index finds near-duplicate comments by other authors on the same site.
// It is an in-memory cache; see docs/duplicates.md for how instances keep
// theirs warm. It is safe for concurrent use.
type Index struct {
	opts   Options
	segDur int64 // nanoseconds

	mu     sync.RWMutex
	sites  map[string]uint32
	segs   map[int64]*segment
	byID   map[string]ref
	common map[uint64]*commonStat
}

type ref struct {
	seg *segment
	i   int32
}

// segment holds the comments whose time falls into one slice of the
// window, with one LSH table per band. Entries are never removed from a
// segment; the whole segment is dropped once all of it is outside the
// window. Records live in fixed-size chunks, so growing a segment never
// copies it (no latency spike under the write lock, no append slack).
type segment struct {
	key    int64
	n      int32
	chunks []*[chunkSize]docRec
	heads  [Bands]map[uint32]int32 // band key -> newest doc index
}

const (
	chunkBits = 10
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

func (s *segment) rec(i int32) *docRec { return &s.chunks[i>>chunkBits][i&chunkMask] }

// docRec is all that is kept per comment: no text.
type docRec struct {
	id      string
	cluster string
	at      int64 // unix nanoseconds
	author  uint64
	site    uint32
	sig     [NumHashes]uint8 // low bytes of the MinHash values (b-bit MinHash)
	next    [Bands]int32     // per band, the next older doc with the same key, or -1
}

type commonStat struct {
	authors []uint64
	sites   []uint32
	last    int64
}

// NewIndex returns an empty Index.
func NewIndex(opts Options) *Index {
	opts = opts.withDefaults()
	segDur := int64(opts.Window) / int64(opts.Segments)
	if segDur < int64(time.Second) {
		segDur = int64(time.Second)
	}
	return &Index{
		opts:   opts,
		segDur: segDur,
		sites:  make(map[string]uint32),
		segs:   make(map[int64]*segment),
		byID:   make(map[string]ref),
		common: make(map[uint64]*commonStat),
	}
}

// Options returns the options in effect, defaults filled in.
func (ix *Index) Options() Options { return ix.opts }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// shortReason returns why sig cannot cluster, or "".
func (ix *Index) shortReason(sig *Signature) string {
	switch {
	case sig.Stock:
		return "a common short reply"
	case sig.Informative < ix.opts.MinInformative:
		return fmt.Sprintf("too short to be a campaign: %d informative words, at least %d needed", sig.Informative, ix.opts.MinInformative)
	case sig.Runes < ix.opts.MinRunes:
		return fmt.Sprintf("too short to be a campaign: %d letters, at least %d needed", sig.Runes, ix.opts.MinRunes)
	}
	return ""
}

// commonReason returns why sig is common by use, or "". ix.mu is held.
func (ix *Index) commonReason(sig *Signature) string {
	if sig.Words > ix.opts.CommonMaxWords {
		return ""
	}
	st := ix.common[sig.Key]
	if st == nil || len(st.authors) < ix.opts.CommonAuthors || len(st.sites) < ix.opts.CommonSites {
		return ""
	}
	return fmt.Sprintf("a common phrase: posted by %d+ people on %d+ sites", ix.opts.CommonAuthors, ix.opts.CommonSites)
}

// Check finds near-duplicates of d among other authors' comments on the
// same site within Options.Window of d.At. It does not insert d.
//
// Cluster IDs are deterministic: the result's ClusterID is the cluster of
// the earliest matched comment that has one; if none has, it is the
// earliest matched comment's ID, and Unclustered lists the matched
// comments the caller should put into that cluster (then call SetCluster).
func (ix *Index) Check(d Doc) Match {
	sig := Sign(d.Text)
	return ix.check(d, &sig)
}

// CheckSigned is Check with the text's signature already computed (by
// Sign, possibly in parallel by the caller, as an import does).
func (ix *Index) CheckSigned(d Doc, sig *Signature) Match { return ix.check(d, sig) }

func (ix *Index) check(d Doc, sig *Signature) Match {
	if r := ix.shortReason(sig); r != "" {
		return Match{Common: true, Reason: r}
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if r := ix.commonReason(sig); r != "" {
		return Match{Common: true, Reason: r}
	}
	site, ok := ix.sites[d.SiteID]
	if !ok {
		return Match{}
	}
	author := fnv64(d.AuthorKey)
	at := d.At.UnixNano()
	w := int64(ix.opts.Window)
	var keys [Bands]uint32
	for b := range keys {
		keys[b] = bandKey(site, sig, b)
	}
	var short [NumHashes]uint8
	for i, v := range sig.Mins {
		short[i] = uint8(v)
	}
	minAgree := agreeNeeded(ix.opts.Threshold)

	var found []*docRec
	var seen visited
	visits := 0
scan:
	// Segments oldest first, so that when a huge cluster hits the
	// MaxMatches cap the earliest comments are the ones reported.
	for sk := floorDiv(at-w, ix.segDur); sk <= floorDiv(at+w, ix.segDur); sk++ {
		seg := ix.segs[sk]
		if seg == nil {
			continue
		}
		for b := range keys {
			i, ok := seg.heads[b][keys[b]]
			for ok && i >= 0 {
				rec := seg.rec(i)
				i = rec.next[b]
				if !seen.add(rec) {
					continue
				}
				if visits++; visits > maxVisits {
					break scan
				}
				if rec.site != site || rec.author == author || rec.id == d.CommentID {
					continue
				}
				if dt := rec.at - at; dt > w || dt < -w {
					continue
				}
				if agree(&rec.sig, &short) < minAgree {
					continue
				}
				found = append(found, rec)
				if len(found) >= ix.opts.MaxMatches {
					break scan
				}
			}
		}
	}
	if len(found) == 0 {
		return Match{}
	}
	slices.SortFunc(found, func(a, b *docRec) int {
		if a.at != b.at {
			if a.at < b.at {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	m := Match{ClusterID: found[0].id}
	for _, rec := range found {
		if rec.cluster != "" {
			m.ClusterID = rec.cluster
			break
		}
	}
	n := min(len(found), ix.opts.MaxMatches)
	m.Matches = make([]string, n)
	for i, rec := range found[:n] {
		m.Matches[i] = rec.id
		if rec.cluster == "" {
			m.Unclustered = append(m.Unclustered, rec.id)
		}
	}
	more := ""
	if len(found) >= ix.opts.MaxMatches {
		more = "+"
	}
	m.Reason = fmt.Sprintf("near-duplicate of %d%s comment(s) by other authors within %s", len(found), more, ix.opts.Window)
	return m
}

// maxVisits bounds the records one Check looks at, so that a text repeated
// many thousands of times (by one author, or in a cluster far beyond
// MaxMatches) cannot make Check slow.
const maxVisits = 20000

// visited is a set of records, a slice while small and a map beyond.
type visited struct {
	small []*docRec
	big   map[*docRec]struct{}
}

// add inserts r and reports whether it was new.
func (v *visited) add(r *docRec) bool {
	if v.big != nil {
		if _, ok := v.big[r]; ok {
			return false
		}
		v.big[r] = struct{}{}
		return true
	}
	if slices.Contains(v.small, r) {
		return false
	}
	v.small = append(v.small, r)
	if len(v.small) > 32 {
		v.big = make(map[*docRec]struct{}, 128)
		for _, x := range v.small {
			v.big[x] = struct{}{}
		}
	}
	return true
}

// agreeNeeded returns how many of the NumHashes 8-bit values must agree for
// an estimated Jaccard similarity of at least t. Two different values agree
// by chance with probability 1/256, so the expected share of agreeing
// values at similarity J is J + (1-J)/256.
func agreeNeeded(t float64) int {
	p := t + (1-t)/256
	n := int(p*NumHashes + 0.999999)
	return min(n, NumHashes)
}

func agree(a, b *[NumHashes]uint8) int {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

// Add inserts d. It is idempotent by CommentID: adding a comment that is
// already indexed only fills in its ClusterID if it had none. Texts too
// short or uninformative to cluster are not indexed (they only count
// towards commonness).
func (ix *Index) Add(d Doc) {
	sig := Sign(d.Text)
	ix.add(d, &sig)
}

// AddSigned is Add with the text's signature already computed by Sign.
func (ix *Index) AddSigned(d Doc, sig *Signature) { ix.add(d, sig) }

func (ix *Index) add(d Doc, sig *Signature) {
	short := ix.shortReason(sig) != ""
	at := d.At.UnixNano()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if r, ok := ix.byID[d.CommentID]; ok {
		if rec := r.seg.rec(r.i); rec.cluster == "" && d.ClusterID != "" {
			rec.cluster = ix.intern(d.ClusterID)
		}
		return
	}
	site, ok := ix.sites[d.SiteID]
	if !ok {
		site = uint32(len(ix.sites))
		ix.sites[d.SiteID] = site
	}
	author := fnv64(d.AuthorKey)
	if sig.Words <= ix.opts.CommonMaxWords {
		ix.countCommon(sig.Key, author, site, at)
	}
	if short {
		return
	}
	sk := floorDiv(at, ix.segDur)
	seg := ix.segs[sk]
	if seg == nil {
		seg = &segment{key: sk}
		for b := range seg.heads {
			seg.heads[b] = make(map[uint32]int32)
		}
		ix.segs[sk] = seg
	}
	i := seg.n
	if int(i>>chunkBits) == len(seg.chunks) {
		seg.chunks = append(seg.chunks, new([chunkSize]docRec))
	}
	seg.n++
	rec := seg.rec(i)
	*rec = docRec{id: d.CommentID, cluster: ix.intern(d.ClusterID), at: at, author: author, site: site}
	for k, v := range sig.Mins {
		rec.sig[k] = uint8(v)
	}
	for b := range seg.heads {
		key := bandKey(site, sig, b)
		prev, ok := seg.heads[b][key]
		if !ok {
			prev = -1
		}
		rec.next[b] = prev
		seg.heads[b][key] = i
	}
	ix.byID[d.CommentID] = ref{seg: seg, i: i}
}

// intern returns the stored copy of a cluster ID when it is an indexed
// comment's ID (it usually is), so that a cluster of many comments holds
// one string. ix.mu is held for writing.
func (ix *Index) intern(id string) string {
	if id == "" {
		return ""
	}
	if r, ok := ix.byID[id]; ok {
		return r.seg.rec(r.i).id
	}
	return id
}

func (ix *Index) countCommon(key, author uint64, site uint32, at int64) {
	st := ix.common[key]
	if st == nil {
		st = &commonStat{}
		ix.common[key] = st
	}
	if at > st.last {
		st.last = at
	}
	if len(st.authors) < ix.opts.CommonAuthors && !slices.Contains(st.authors, author) {
		st.authors = append(st.authors, author)
	}
	if len(st.sites) < ix.opts.CommonSites && !slices.Contains(st.sites, site) {
		st.sites = append(st.sites, site)
	}
}

// SetCluster records that commentID belongs to clusterID. Unknown comment
// IDs are ignored.
func (ix *Index) SetCluster(commentID, clusterID string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if r, ok := ix.byID[commentID]; ok {
		r.seg.rec(r.i).cluster = ix.intern(clusterID)
	}
}

// Expire drops comments and commonness counts older than now minus the
// window. Comments are dropped a segment at a time, so some may linger for
// up to one segment (Window/Segments) longer; Check never matches them
// because it compares times itself.
func (ix *Index) Expire(now time.Time) {
	cut := now.UnixNano() - int64(ix.opts.Window)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for k, seg := range ix.segs {
		// The segment covers [k*segDur, (k+1)*segDur).
		if (k+1)*ix.segDur <= cut {
			for i := int32(0); i < seg.n; i++ {
				delete(ix.byID, seg.rec(i).id)
			}
			delete(ix.segs, k)
		}
	}
	for k, st := range ix.common {
		if st.last < cut {
			delete(ix.common, k)
		}
	}
}

// Stats returns counts and a memory estimate.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Sites: len(ix.sites), Segments: len(ix.segs), CommonKeys: len(ix.common)}
	const (
		mapEntry   = 16 // a Go map slot of 8 bytes plus control byte and spare capacity
		strMapSlot = 40 // map[string]ref slot
	)
	var bytes int64
	for _, seg := range ix.segs {
		st.Docs += int(seg.n)
		bytes += int64(len(seg.chunks)) * chunkSize * int64(unsafe.Sizeof(docRec{}))
		for b := range seg.heads {
			bytes += int64(len(seg.heads[b])) * mapEntry
		}
		for i := int32(0); i < seg.n; i++ {
			bytes += int64(len(seg.rec(i).id))
		}
	}
	bytes += int64(len(ix.byID)) * strMapSlot
	for _, c := range ix.common {
		bytes += 64 + int64(cap(c.authors))*8 + int64(cap(c.sites))*4
	}
	st.Bytes = bytes
	return st
}
