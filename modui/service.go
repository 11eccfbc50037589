package modui

import (
	"context"
	"io"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// Service is what the dashboard needs from the use cases; *service.Service
// is one. Each method checks its own permissions.
type Service interface {
	httpx.Authenticator
	OnEvent(fn func(parley.Event))
	Login(ctx context.Context, email, password, clientKey string) (*parley.Session, string, *parley.User, error)
	SignInProviders(ctx context.Context) ([]service.SignInProvider, error)
	Sessions(ctx context.Context, user *parley.User) ([]*parley.Session, error)
	RevokeSession(ctx context.Context, user *parley.User, idHash string) error
	SiteAuth(ctx context.Context, actor *parley.User, siteID string) (*parley.SiteAuth, error)
	SetSiteAuth(ctx context.Context, actor *parley.User, a *parley.SiteAuth) error
	Logout(ctx context.Context, secret string) error

	ModeratedSites(ctx context.Context, actor *parley.User) ([]service.ModeratedSite, error)
	ModeratorScope(ctx context.Context, actor *parley.User, siteID string) (*service.SiteScope, error)
	Queue(ctx context.Context, actor *parley.User, f parley.QueueFilter) (*service.QueuePage, error)
	QueueItemIn(ctx context.Context, sc *service.SiteScope, id string) (*service.QueueItem, error)
	LowRiskQueue(ctx context.Context, actor *parley.User, siteID string) (*service.QueuePage, error)
	Campaigns(ctx context.Context, actor *parley.User, siteID string) ([]*service.Campaign, error)
	DecideIn(ctx context.Context, sc *service.SiteScope, id string, d service.Decision) (*parley.Comment, error)
	QueueCounts(ctx context.Context, sc *service.SiteScope) (map[parley.Status]int, error)
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
	EmailService   // email.go
	PrivacyService // privacy.go

	StartImport(ctx context.Context, actor *parley.User, siteID, format string, strict bool, fileName string, file io.Reader) (*service.ImportJob, error)
	ImportJobs(ctx context.Context, actor *parley.User, siteID string) ([]*service.ImportJob, error)
	ExportSite(ctx context.Context, actor *parley.User, siteID, format string, w io.Writer) (service.ExportSummary, error)
}

var _ Service = (*service.Service)(nil)
