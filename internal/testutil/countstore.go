package testutil

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// CountingStore wraps a parley.Store and counts the calls made through it,
// for tests that bound how much work a request does. A call made inside a
// transaction is counted under "tx:" plus its name, so that InTx counts once
// at the top level and its statements separately. Methods added to
// parley.Store after this file pass through uncounted.
type CountingStore struct {
	parley.Store
	prefix string
	c      *counts
}

type counts struct {
	mu sync.Mutex
	n  map[string]int
}

// NewCountingStore wraps s.
func NewCountingStore(s parley.Store) *CountingStore {
	return &CountingStore{Store: s, c: &counts{n: map[string]int{}}}
}

func (cs *CountingStore) count(name string) {
	cs.c.mu.Lock()
	cs.c.n[cs.prefix+name]++
	cs.c.mu.Unlock()
}

// Reset forgets the calls counted so far.
func (cs *CountingStore) Reset() {
	cs.c.mu.Lock()
	cs.c.n = map[string]int{}
	cs.c.mu.Unlock()
}

// Calls returns the calls counted since the last Reset: the number of
// top-level calls (InTx counts as one), the number made inside
// transactions, and each name with its count, sorted.
func (cs *CountingStore) Calls() (top, inTx int, names []string) {
	cs.c.mu.Lock()
	defer cs.c.mu.Unlock()
	for k, v := range cs.c.n {
		if len(k) > 3 && k[:3] == "tx:" {
			inTx += v
		} else {
			top += v
		}
		for i := 0; i < v; i++ {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return top, inTx, names
}

// InTx counts one call and runs fn with a counting view of the transaction.
func (cs *CountingStore) InTx(ctx context.Context, fn func(tx parley.Store) error) error {
	cs.count("InTx")
	return cs.Store.InTx(ctx, func(tx parley.Store) error {
		return fn(&CountingStore{Store: tx, prefix: "tx:", c: cs.c})
	})
}

func (cs *CountingStore) CreateSite(ctx context.Context, s *parley.Site) error {
	cs.count("CreateSite")
	return cs.Store.CreateSite(ctx, s)
}

func (cs *CountingStore) GetSite(ctx context.Context, id string) (*parley.Site, error) {
	cs.count("GetSite")
	return cs.Store.GetSite(ctx, id)
}

func (cs *CountingStore) UpdateSite(ctx context.Context, s *parley.Site) error {
	cs.count("UpdateSite")
	return cs.Store.UpdateSite(ctx, s)
}

func (cs *CountingStore) ListSites(ctx context.Context) ([]*parley.Site, error) {
	cs.count("ListSites")
	return cs.Store.ListSites(ctx)
}

func (cs *CountingStore) CreateUser(ctx context.Context, u *parley.User) error {
	cs.count("CreateUser")
	return cs.Store.CreateUser(ctx, u)
}

func (cs *CountingStore) GetUser(ctx context.Context, id string) (*parley.User, error) {
	cs.count("GetUser")
	return cs.Store.GetUser(ctx, id)
}

func (cs *CountingStore) GetUserByEmail(ctx context.Context, email string) (*parley.User, error) {
	cs.count("GetUserByEmail")
	return cs.Store.GetUserByEmail(ctx, email)
}

func (cs *CountingStore) UpdateUser(ctx context.Context, u *parley.User) error {
	cs.count("UpdateUser")
	return cs.Store.UpdateUser(ctx, u)
}

func (cs *CountingStore) SetRole(ctx context.Context, m parley.Membership) error {
	cs.count("SetRole")
	return cs.Store.SetRole(ctx, m)
}

func (cs *CountingStore) DeleteRole(ctx context.Context, siteID, userID string) error {
	cs.count("DeleteRole")
	return cs.Store.DeleteRole(ctx, siteID, userID)
}

func (cs *CountingStore) GetRole(ctx context.Context, siteID, userID string) (parley.Role, error) {
	cs.count("GetRole")
	return cs.Store.GetRole(ctx, siteID, userID)
}

func (cs *CountingStore) ListMemberships(ctx context.Context, userID string) ([]parley.Membership, error) {
	cs.count("ListMemberships")
	return cs.Store.ListMemberships(ctx, userID)
}

func (cs *CountingStore) ListSiteMembers(ctx context.Context, siteID string) ([]parley.Membership, error) {
	cs.count("ListSiteMembers")
	return cs.Store.ListSiteMembers(ctx, siteID)
}

func (cs *CountingStore) CreateToken(ctx context.Context, t *parley.Token) error {
	cs.count("CreateToken")
	return cs.Store.CreateToken(ctx, t)
}

func (cs *CountingStore) GetTokenBySecretHash(ctx context.Context, hash string) (*parley.Token, error) {
	cs.count("GetTokenBySecretHash")
	return cs.Store.GetTokenBySecretHash(ctx, hash)
}

func (cs *CountingStore) TouchToken(ctx context.Context, id string, at time.Time) error {
	cs.count("TouchToken")
	return cs.Store.TouchToken(ctx, id, at)
}

func (cs *CountingStore) CreateSession(ctx context.Context, s *parley.Session) error {
	cs.count("CreateSession")
	return cs.Store.CreateSession(ctx, s)
}

func (cs *CountingStore) GetSession(ctx context.Context, idHash string) (*parley.Session, error) {
	cs.count("GetSession")
	return cs.Store.GetSession(ctx, idHash)
}

func (cs *CountingStore) DeleteSession(ctx context.Context, idHash string) error {
	cs.count("DeleteSession")
	return cs.Store.DeleteSession(ctx, idHash)
}

func (cs *CountingStore) CreateStory(ctx context.Context, s *parley.Story) error {
	cs.count("CreateStory")
	return cs.Store.CreateStory(ctx, s)
}

func (cs *CountingStore) GetStory(ctx context.Context, id string) (*parley.Story, error) {
	cs.count("GetStory")
	return cs.Store.GetStory(ctx, id)
}

func (cs *CountingStore) GetStoryByURL(ctx context.Context, siteID, url string) (*parley.Story, error) {
	cs.count("GetStoryByURL")
	return cs.Store.GetStoryByURL(ctx, siteID, url)
}

func (cs *CountingStore) UpdateStory(ctx context.Context, s *parley.Story) error {
	cs.count("UpdateStory")
	return cs.Store.UpdateStory(ctx, s)
}

func (cs *CountingStore) ListStories(ctx context.Context, siteID string, cursor string, limit int) ([]*parley.Story, string, error) {
	cs.count("ListStories")
	return cs.Store.ListStories(ctx, siteID, cursor, limit)
}

func (cs *CountingStore) CreateComment(ctx context.Context, c *parley.Comment) error {
	cs.count("CreateComment")
	return cs.Store.CreateComment(ctx, c)
}

func (cs *CountingStore) GetComment(ctx context.Context, id string) (*parley.Comment, error) {
	cs.count("GetComment")
	return cs.Store.GetComment(ctx, id)
}

func (cs *CountingStore) UpdateComment(ctx context.Context, c *parley.Comment) error {
	cs.count("UpdateComment")
	return cs.Store.UpdateComment(ctx, c)
}

func (cs *CountingStore) ListThread(ctx context.Context, q parley.ThreadQuery) ([]*parley.Comment, string, error) {
	cs.count("ListThread")
	return cs.Store.ListThread(ctx, q)
}

func (cs *CountingStore) CountApproved(ctx context.Context, storyID string) (int, error) {
	cs.count("CountApproved")
	return cs.Store.CountApproved(ctx, storyID)
}

func (cs *CountingStore) ListQueue(ctx context.Context, f parley.QueueFilter) ([]*parley.Comment, string, error) {
	cs.count("ListQueue")
	return cs.Store.ListQueue(ctx, f)
}

func (cs *CountingStore) CountQueue(ctx context.Context, siteID string) (map[parley.Status]int, error) {
	cs.count("CountQueue")
	return cs.Store.CountQueue(ctx, siteID)
}

func (cs *CountingStore) AuthorHistory(ctx context.Context, siteID, authorKey string) (map[parley.Status]int, error) {
	cs.count("AuthorHistory")
	return cs.Store.AuthorHistory(ctx, siteID, authorKey)
}

func (cs *CountingStore) FindDuplicate(ctx context.Context, siteID, authorKey, normHash string, since time.Time) (*parley.Comment, error) {
	cs.count("FindDuplicate")
	return cs.Store.FindDuplicate(ctx, siteID, authorKey, normHash, since)
}

func (cs *CountingStore) ScanComments(ctx context.Context, since time.Time, afterID string, limit int) ([]*parley.Comment, error) {
	cs.count("ScanComments")
	return cs.Store.ScanComments(ctx, since, afterID, limit)
}

func (cs *CountingStore) AddRevision(ctx context.Context, r *parley.Revision) error {
	cs.count("AddRevision")
	return cs.Store.AddRevision(ctx, r)
}

func (cs *CountingStore) ListRevisions(ctx context.Context, commentID string) ([]*parley.Revision, error) {
	cs.count("ListRevisions")
	return cs.Store.ListRevisions(ctx, commentID)
}

func (cs *CountingStore) PutIdempotencyKey(ctx context.Context, scope, key, commentID string, at time.Time) error {
	cs.count("PutIdempotencyKey")
	return cs.Store.PutIdempotencyKey(ctx, scope, key, commentID, at)
}

func (cs *CountingStore) GetIdempotencyKey(ctx context.Context, scope, key string) (string, error) {
	cs.count("GetIdempotencyKey")
	return cs.Store.GetIdempotencyKey(ctx, scope, key)
}

func (cs *CountingStore) AppendAudit(ctx context.Context, e *parley.AuditEntry) error {
	cs.count("AppendAudit")
	return cs.Store.AppendAudit(ctx, e)
}

func (cs *CountingStore) ListAudit(ctx context.Context, f parley.AuditFilter) ([]*parley.AuditEntry, string, error) {
	cs.count("ListAudit")
	return cs.Store.ListAudit(ctx, f)
}

func (cs *CountingStore) CreateSanction(ctx context.Context, s *parley.Sanction) error {
	cs.count("CreateSanction")
	return cs.Store.CreateSanction(ctx, s)
}

func (cs *CountingStore) DeleteSanction(ctx context.Context, siteID, id string) error {
	cs.count("DeleteSanction")
	return cs.Store.DeleteSanction(ctx, siteID, id)
}

func (cs *CountingStore) ListSanctions(ctx context.Context, siteID, authorKey string) ([]*parley.Sanction, error) {
	cs.count("ListSanctions")
	return cs.Store.ListSanctions(ctx, siteID, authorKey)
}

func (cs *CountingStore) CreateReport(ctx context.Context, r *parley.Report) error {
	cs.count("CreateReport")
	return cs.Store.CreateReport(ctx, r)
}

func (cs *CountingStore) ListReports(ctx context.Context, commentID string) ([]*parley.Report, error) {
	cs.count("ListReports")
	return cs.Store.ListReports(ctx, commentID)
}

func (cs *CountingStore) GetSiteAdapter(ctx context.Context, siteID string) ([]byte, error) {
	cs.count("GetSiteAdapter")
	return cs.Store.GetSiteAdapter(ctx, siteID)
}

func (cs *CountingStore) PutSiteAdapter(ctx context.Context, siteID string, state []byte, at time.Time) error {
	cs.count("PutSiteAdapter")
	return cs.Store.PutSiteAdapter(ctx, siteID, state, at)
}

func (cs *CountingStore) DeleteSiteAdapter(ctx context.Context, siteID string) error {
	cs.count("DeleteSiteAdapter")
	return cs.Store.DeleteSiteAdapter(ctx, siteID)
}

func (cs *CountingStore) Purge(ctx context.Context, now, keysBefore, bucketsBefore time.Time) (int, error) {
	cs.count("Purge")
	return cs.Store.Purge(ctx, now, keysBefore, bucketsBefore)
}

func (cs *CountingStore) UpdateRateBucket(ctx context.Context, key string, fn func(b *parley.RateBucket) error) error {
	cs.count("UpdateRateBucket")
	return cs.Store.UpdateRateBucket(ctx, key, fn)
}

func (cs *CountingStore) GetSessionUser(ctx context.Context, idHash string) (*parley.Session, *parley.User, error) {
	cs.count("GetSessionUser")
	return cs.Store.GetSessionUser(ctx, idHash)
}
