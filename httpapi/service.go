package httpapi

import (
	"context"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// Service is what the API needs from the use cases; *service.Service is
// one. Each method checks its own permissions.
type Service interface {
	httpx.Authenticator
	OnEvent(fn func(parley.Event))
	OriginAllowed(ctx context.Context, origin string) (bool, error)

	Login(ctx context.Context, email, password, clientKey string) (*parley.Session, string, *parley.User, error)
	Logout(ctx context.Context, secret string) error
	Memberships(ctx context.Context, user *parley.User) ([]parley.Membership, error)
	Role(ctx context.Context, user *parley.User, siteID string) (parley.Role, error)
	ViewerRole(ctx context.Context, user *parley.User, siteID string) (parley.Role, error)

	Site(ctx context.Context, id string) (*parley.Site, error)
	StoryByURL(ctx context.Context, siteID, rawURL string) (*parley.Story, error)
	Thread(ctx context.Context, a service.Author, in service.ThreadInput) (*service.ThreadPage, error)
	ViewerComments(ctx context.Context, a service.Author, in service.ThreadInput, storyID, through string) ([]*parley.Comment, error)
	Post(ctx context.Context, a service.Author, in service.PostInput) (*service.PostResult, error)
	Edit(ctx context.Context, a service.Author, id, body string) (*parley.Comment, error)
	Report(ctx context.Context, a service.Author, commentID string, reason parley.Reason, note string) (*parley.Report, error)
	RenderPreview(ctx context.Context, body string) (string, error)

	ModeratorSite(ctx context.Context, actor *parley.User, siteID string) (*parley.Site, parley.Role, error)
	Queue(ctx context.Context, actor *parley.User, f parley.QueueFilter) (*service.QueuePage, error)
	CommentDetail(ctx context.Context, actor *parley.User, id string) (*service.CommentDetail, error)
	Decide(ctx context.Context, actor *parley.User, id string, d service.Decision) (*parley.Comment, error)
	DecideMany(ctx context.Context, actor *parley.User, siteID string, ids []string, d service.Decision) (*service.BulkResult, error)
	DecideWhere(ctx context.Context, actor *parley.User, f parley.QueueFilter, d service.Decision) (*service.BulkResult, error)
	Audit(ctx context.Context, actor *parley.User, f parley.AuditFilter) ([]*parley.AuditEntry, string, error)
	Sanctions(ctx context.Context, actor *parley.User, siteID, authorKey string) ([]*parley.Sanction, error)
	AddSanction(ctx context.Context, actor *parley.User, in service.SanctionInput) (*parley.Sanction, error)
	RemoveSanction(ctx context.Context, actor *parley.User, siteID, id string) error
	SanctionReporter(ctx context.Context, actor *parley.User, reportID, reason string) (*parley.Sanction, error)
	WebhookService  // webhooks.go
	IdentityService // identity.go
	EmailService    // email.go
	PrivacyService  // privacy.go
	UpdateStory(ctx context.Context, actor *parley.User, storyID string, in service.StorySettings) (*parley.Story, error)
	UpdateSiteSettings(ctx context.Context, actor *parley.User, siteID string, settings parley.Settings) (*parley.Site, error)
	AdapterStatus(ctx context.Context, actor *parley.User, siteID string) (int, error)
	ResetAdapter(ctx context.Context, actor *parley.User, siteID string) error
}

var _ Service = (*service.Service)(nil)
