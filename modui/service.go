package modui

import (
	"context"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// Service is what the dashboard needs from the use cases; *service.Service
// is one. Each method checks its own permissions.
type Service interface {
	httpx.Authenticator
	Login(ctx context.Context, email, password, clientKey string) (*parley.Session, string, *parley.User, error)
	SignInProviders(ctx context.Context) ([]service.SignInProvider, error)
	Logout(ctx context.Context, secret string) error

	ModeratedSites(ctx context.Context, actor *parley.User) ([]service.ModeratedSite, error)
	ModeratorSite(ctx context.Context, actor *parley.User, siteID string) (*parley.Site, parley.Role, error)
	Queue(ctx context.Context, actor *parley.User, f parley.QueueFilter) (*service.QueuePage, error)
	QueueItem(ctx context.Context, actor *parley.User, id string) (*service.QueueItem, error)
	LowRiskQueue(ctx context.Context, actor *parley.User, siteID string) (*service.QueuePage, error)
	Campaigns(ctx context.Context, actor *parley.User, siteID string) ([]*service.Campaign, error)
	Comment(ctx context.Context, actor *parley.User, id string) (*parley.Comment, error)
	AuthorEmail(ctx context.Context, actor *parley.User, c *parley.Comment) (string, error)
	Decide(ctx context.Context, actor *parley.User, id string, d service.Decision) (*parley.Comment, error)
	DecideMany(ctx context.Context, actor *parley.User, siteID string, ids []string, d service.Decision) (*service.BulkResult, error)
	DecideWhere(ctx context.Context, actor *parley.User, f parley.QueueFilter, d service.Decision) (*service.BulkResult, error)
	SanctionReporter(ctx context.Context, actor *parley.User, reportID, reason string) (*parley.Sanction, error)

	Sanctions(ctx context.Context, actor *parley.User, siteID, authorKey string) ([]*parley.Sanction, error)
	AddSanction(ctx context.Context, actor *parley.User, in service.SanctionInput) (*parley.Sanction, error)
	RemoveSanction(ctx context.Context, actor *parley.User, siteID, id string) error
	UpdateSiteSettings(ctx context.Context, actor *parley.User, siteID string, settings parley.Settings) (*parley.Site, error)
	ModeratorStories(ctx context.Context, actor *parley.User, siteID, cursor string, limit int) ([]*parley.Story, string, error)
	ModeratorStory(ctx context.Context, actor *parley.User, storyID string) (*parley.Story, []service.StoryAuthor, error)
	UpdateStory(ctx context.Context, actor *parley.User, storyID string, in service.StorySettings) (*parley.Story, error)
	Audit(ctx context.Context, actor *parley.User, f parley.AuditFilter) ([]*parley.AuditEntry, string, error)
	WebhookService // webhooks.go
	PrivacyService // privacy.go
}

var _ Service = (*service.Service)(nil)
