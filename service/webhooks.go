package service

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"
	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/webhook"
)

// Webhook limits.
const (
	maxWebhooksPerSite   = 20
	maxWebhookDescChars  = 200
	webhookSecretPrefix  = "whsec_"
	audiencePublic       = "public"
	audienceModerators   = "moderators"
	auditWebhookCreated  = "webhook_created"
	auditWebhookUpdated  = "webhook_updated"
	auditWebhookDeleted  = "webhook_deleted"
	auditWebhookRotated  = "webhook_secret_rotated"
	auditWebhookTestSent = "webhook_test"
)

// WebhookInput creates or changes a webhook. On update, nil fields keep
// their value.
type WebhookInput struct {
	URL             *string
	Description     *string
	Events          *[]string
	ModeratorFacing *bool
	Active          *bool
}

// Webhooks lists a site's webhooks. Admins of the site only.
func (s *Service) Webhooks(ctx context.Context, actor *parley.User, siteID string) ([]*parley.Webhook, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	return s.store.ListWebhooks(ctx, siteID)
}

// Webhook returns one of a site's webhooks. Admins of the site only;
// ENOTFOUND for a hook of another site.
func (s *Service) Webhook(ctx context.Context, actor *parley.User, siteID, id string) (*parley.Webhook, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	h, err := s.store.GetWebhook(ctx, id)
	if err != nil || h.SiteID != siteID {
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		return nil, parley.Errorf(parley.ENOTFOUND, "Webhook not found.")
	}
	return h, nil
}

// applyWebhookInput validates in and writes it into h.
func (s *Service) applyWebhookInput(h *parley.Webhook, in WebhookInput) error {
	if in.URL != nil {
		u, err := webhook.CheckURL(*in.URL, s.webhookAllowPrivate)
		if err != nil {
			return parley.Errorf(parley.EINVALID, "Webhook URL: %s.", err.Error())
		}
		if len(u.String()) > MaxURLChars {
			return parley.Errorf(parley.EINVALID, "The webhook URL is too long.")
		}
		h.URL = u.String()
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(d) > maxWebhookDescChars {
			return parley.Errorf(parley.EINVALID, "The description is at most %d characters.", maxWebhookDescChars)
		}
		h.Description = d
	}
	if in.Events != nil {
		events := []string{}
		for _, e := range *in.Events {
			if !slices.Contains(parley.HookEvents, e) {
				return parley.Errorf(parley.EINVALID, "Unknown event %q; events are %s.", e, strings.Join(parley.HookEvents, ", "))
			}
			if !slices.Contains(events, e) {
				events = append(events, e)
			}
		}
		h.Events = events
	}
	if in.ModeratorFacing != nil {
		h.ModeratorFacing = *in.ModeratorFacing
	}
	if in.Active != nil {
		h.Active = *in.Active
	}
	if h.URL == "" {
		return parley.Errorf(parley.EINVALID, "A webhook URL is required.")
	}
	if len(h.Events) == 0 {
		return parley.Errorf(parley.EINVALID, "Choose at least one event.")
	}
	return nil
}

// CreateWebhook adds a webhook to a site with a new secret. It is active
// unless in says otherwise. Admins only; audited.
func (s *Service) CreateWebhook(ctx context.Context, actor *parley.User, siteID string, in WebhookInput) (*parley.Webhook, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	now := s.now()
	h := &parley.Webhook{ID: parley.NewID(now), SiteID: siteID, Active: true, Secret: newSecret(webhookSecretPrefix), CreatedAt: now, UpdatedAt: now}
	if err := s.applyWebhookInput(h, in); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(tx parley.Store) error {
		list, err := tx.ListWebhooks(ctx, siteID)
		if err != nil {
			return err
		}
		if len(list) >= maxWebhooksPerSite {
			return parley.Errorf(parley.EINVALID, "A site has at most %d webhooks.", maxWebhooksPerSite)
		}
		if err := tx.CreateWebhook(ctx, h); err != nil {
			return err
		}
		return s.auditWebhook(ctx, tx, actor, h, auditWebhookCreated, now)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func (s *Service) auditWebhook(ctx context.Context, tx parley.Store, actor *parley.User, h *parley.Webhook, action string, now time.Time) error {
	audience := audiencePublic
	if h.ModeratorFacing {
		audience = audienceModerators
	}
	return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: h.SiteID, ActorID: actor.ID, ActorName: actor.Name,
		Action: action, Note: h.URL + " (" + audience + "; " + strings.Join(h.Events, ", ") + ")", CreatedAt: now})
}

// UpdateWebhook changes a webhook. Admins only; audited.
func (s *Service) UpdateWebhook(ctx context.Context, actor *parley.User, siteID, id string, in WebhookInput) (*parley.Webhook, error) {
	h, err := s.Webhook(ctx, actor, siteID, id)
	if err != nil {
		return nil, err
	}
	if err := s.applyWebhookInput(h, in); err != nil {
		return nil, err
	}
	now := s.now()
	h.UpdatedAt = now
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.UpdateWebhook(ctx, h); err != nil {
			return err
		}
		return s.auditWebhook(ctx, tx, actor, h, auditWebhookUpdated, now)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// RotateWebhookSecret gives a webhook a new secret; deliveries from now on
// are signed with it. Admins only; audited.
func (s *Service) RotateWebhookSecret(ctx context.Context, actor *parley.User, siteID, id string) (*parley.Webhook, error) {
	h, err := s.Webhook(ctx, actor, siteID, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	h.Secret, h.UpdatedAt = newSecret(webhookSecretPrefix), now
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.UpdateWebhook(ctx, h); err != nil {
			return err
		}
		return s.auditWebhook(ctx, tx, actor, h, auditWebhookRotated, now)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// DeleteWebhook removes a webhook; its pending deliveries are cancelled.
// Admins only; audited.
func (s *Service) DeleteWebhook(ctx context.Context, actor *parley.User, siteID, id string) error {
	h, err := s.Webhook(ctx, actor, siteID, id)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.DeleteWebhook(ctx, h.ID); err != nil {
			return err
		}
		return s.auditWebhook(ctx, tx, actor, h, auditWebhookDeleted, now)
	})
}

// WebhookDeliveries returns a page of a webhook's delivery log, newest
// first. Admins only.
func (s *Service) WebhookDeliveries(ctx context.Context, actor *parley.User, siteID, id, cursor string, limit int) ([]*parley.WebhookDelivery, string, error) {
	h, err := s.Webhook(ctx, actor, siteID, id)
	if err != nil {
		return nil, "", err
	}
	return s.store.ListDeliveries(ctx, h.ID, cursor, limit)
}

// SendTestEvent queues a "test" delivery to one webhook, whether or not it
// is active. Admins only; audited.
func (s *Service) SendTestEvent(ctx context.Context, actor *parley.User, siteID, id string) (*parley.WebhookDelivery, error) {
	h, err := s.Webhook(ctx, actor, siteID, id)
	if err != nil {
		return nil, err
	}
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var d *parley.WebhookDelivery
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		env := hookEnvelope{Event: parley.HookTest, CreatedAt: now, Site: hookSite{ID: site.ID, Name: site.Name}, Audience: audienceOf(h),
			Test: &hookTest{Message: "This is a test delivery from Parley. Verify its Parley-Signature with your webhook's secret."}}
		if d, err = s.enqueueDelivery(ctx, tx, h, "test:"+parley.NewID(now), env, now); err != nil {
			return err
		}
		return s.auditWebhook(ctx, tx, actor, h, auditWebhookTestSent, now)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// --- Payloads ---

// hookEnvelope is the JSON body of every delivery (docs/webhooks.md).
type hookEnvelope struct {
	ID        string        `json:"id"` // the delivery ID, the same on every retry
	Event     string        `json:"event"`
	CreatedAt time.Time     `json:"created_at"`
	Audience  string        `json:"audience"` // public or moderators
	Site      hookSite      `json:"site"`
	Comment   *hookComment  `json:"comment,omitempty"`
	Story     *hookStory    `json:"story,omitempty"`
	Report    *hookReport   `json:"report,omitempty"`
	Sanction  *hookSanction `json:"sanction,omitempty"`
	Actor     *hookActor    `json:"actor,omitempty"` // moderators only: who acted
	Test      *hookTest     `json:"test,omitempty"`
}

type hookSite struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type hookStory struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// hookComment is a comment in a delivery. For public-facing hooks only the
// fields above the line are ever set, and Text, HTML and Author only when
// the comment is approved (they are then its published revision).
type hookComment struct {
	ID        string        `json:"id"`
	StoryID   string        `json:"story_id"`
	ParentID  string        `json:"parent_id,omitempty"`
	Status    parley.Status `json:"status"`
	URL       string        `json:"url,omitempty"`
	Text      string        `json:"text,omitempty"` // markdown source
	HTML      string        `json:"html,omitempty"` // sanitized HTML
	Author    *hookAuthor   `json:"author,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	EditedAt  time.Time     `json:"edited_at,omitzero"`
	// EditApproved is set on comment.approved and comment.edited when a
	// moderator approved an edit of a published comment.
	EditApproved bool `json:"edit_approved,omitempty"`
	// ----- moderator-facing hooks only -----
	EditPending   bool                     `json:"edit_pending,omitempty"`
	PendingText   string                   `json:"pending_text,omitempty"`
	PendingHTML   string                   `json:"pending_html,omitempty"`
	Reason        parley.Reason            `json:"reason,omitempty"`
	ModeratorNote string                   `json:"moderator_note,omitempty"`
	Language      string                   `json:"language,omitempty"`
	Scores        map[parley.Label]float64 `json:"scores,omitempty"`
	Risk          float64                  `json:"risk,omitempty"`
	ReportCount   int                      `json:"report_count,omitempty"`
	SpamSignals   []parley.SpamSignal      `json:"spam_signals,omitempty"`
}

// hookAuthor is a comment's author: the display name for everyone; the
// account, email, address and author key for moderator-facing hooks only.
type hookAuthor struct {
	Name   string `json:"name"`
	UserID string `json:"user_id,omitempty"`
	Email  string `json:"email,omitempty"`
	IP     string `json:"ip,omitempty"`
	Key    string `json:"key,omitempty"`
}

type hookReport struct {
	Reason parley.Reason `json:"reason"`
	Count  int           `json:"count"`
	Note   string        `json:"note,omitempty"` // moderators only
}

type hookSanction struct {
	ID        string              `json:"id"`
	Kind      parley.SanctionKind `json:"kind"`
	Until     time.Time           `json:"until,omitzero"`
	CreatedAt time.Time           `json:"created_at"`
	AuthorKey string              `json:"author_key,omitempty"` // moderators only
	Reason    string              `json:"reason,omitempty"`     // moderators only
}

type hookActor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type hookTest struct {
	Message string `json:"message"`
}

func audienceOf(h *parley.Webhook) string {
	if h.ModeratorFacing {
		return audienceModerators
	}
	return audiencePublic
}

// hookEvent is one event to deliver to a site's webhooks.
type hookEvent struct {
	name    string
	comment *parley.Comment
	// wasPublic: the comment was approved before this event (a rejection
	// then withdraws a published comment, which public hooks may hear of).
	wasPublic    bool
	editApproved bool
	report       *parley.Report
	sanction     *parley.Sanction
	actor        *parley.User
	// audience limits the event to one kind of hook ("" for both).
	audience string
}

// publicMay reports whether a public-facing hook hears of e at all. Public
// hooks hear only of published comments: created approved, approved,
// reported (only approved comments can be), an approved edit, and the
// withdrawal of a published comment (rejected, or hidden after reports:
// without its text). Sanctions are announced without the author.
func publicMay(e hookEvent) bool {
	c := e.comment
	switch e.name {
	case parley.HookCommentCreated, parley.HookCommentApproved, parley.HookCommentReported:
		return c.Status == parley.StatusApproved
	case parley.HookCommentEdited:
		return e.editApproved && c.Status == parley.StatusApproved
	case parley.HookCommentRejected, parley.HookCommentHidden:
		return e.wasPublic
	case parley.HookUserSanctioned:
		return true
	}
	return false
}

// buildComment renders c for a hook's audience.
func buildComment(c *parley.Comment, story *parley.Story, moderators bool) *hookComment {
	hc := &hookComment{ID: c.ID, StoryID: c.StoryID, ParentID: c.ParentID, Status: c.Status, CreatedAt: c.CreatedAt}
	if c.Status == parley.StatusApproved || moderators {
		hc.Text, hc.HTML = c.Body, c.HTML
		hc.Author = &hookAuthor{Name: c.AuthorName}
		if story != nil {
			hc.URL = story.URL + "#parley-comment-" + c.ID
		}
		if !c.EditedAt.IsZero() && (moderators || !c.EditPending) {
			hc.EditedAt = c.EditedAt
		}
	}
	if !moderators {
		return hc
	}
	hc.Author.UserID, hc.Author.Email, hc.Author.IP, hc.Author.Key = c.AuthorUserID, c.GuestEmail, c.ClientIP, c.AuthorKey
	hc.EditPending, hc.PendingText, hc.PendingHTML = c.EditPending, c.PendingBody, c.PendingHTML
	hc.Reason, hc.ModeratorNote, hc.Language, hc.Scores, hc.Risk = c.Reason, c.ModeratorNote, c.Language, c.Scores, c.Risk
	hc.ReportCount, hc.SpamSignals = c.ReportCount, c.SpamSignals
	return hc
}

// buildEnvelope renders event e for hook h. It returns false when h's
// audience must not hear of e.
func buildEnvelope(e hookEvent, h *parley.Webhook, site *parley.Site, story *parley.Story, now time.Time) (hookEnvelope, bool) {
	mods := h.ModeratorFacing
	if (e.audience == audiencePublic && mods) || (e.audience == audienceModerators && !mods) {
		return hookEnvelope{}, false
	}
	if !mods && !publicMay(e) {
		return hookEnvelope{}, false
	}
	env := hookEnvelope{Event: e.name, CreatedAt: now, Audience: audienceOf(h), Site: hookSite{ID: site.ID, Name: site.Name}}
	if e.comment != nil {
		env.Comment = buildComment(e.comment, story, mods)
		env.Comment.EditApproved = e.editApproved
	}
	if story != nil {
		env.Story = &hookStory{ID: story.ID, URL: story.URL, Title: story.Title}
	}
	if e.report != nil {
		env.Report = &hookReport{Reason: e.report.Reason, Count: e.comment.ReportCount}
		if mods {
			env.Report.Note = e.report.Note
		}
	}
	if sn := e.sanction; sn != nil {
		env.Sanction = &hookSanction{ID: sn.ID, Kind: sn.Kind, Until: sn.Until, CreatedAt: sn.CreatedAt}
		if mods {
			env.Sanction.AuthorKey, env.Sanction.Reason = sn.AuthorKey, sn.Reason
		}
	}
	if mods && e.actor != nil {
		env.Actor = &hookActor{ID: e.actor.ID, Name: e.actor.Name}
	}
	return env, true
}

// emitHooks records one delivery of e for each of the site's webhooks that
// wants it, inside the transaction of the change that caused it. Call it
// after the write that changed the comment (which locks its row), so that
// one comment's deliveries are numbered in commit order.
func (s *Service) emitHooks(ctx context.Context, tx parley.Store, siteID string, events ...hookEvent) error {
	hooks, err := tx.ListWebhooks(ctx, siteID)
	if err != nil || len(hooks) == 0 {
		return err
	}
	site, err := tx.GetSite(ctx, siteID)
	if err != nil {
		return err
	}
	stories := map[string]*parley.Story{}
	now := s.now()
	ids := ulid.Monotonic(rand.Reader, 0) // deliveries of one change list in the order they were made
	for _, e := range events {
		var story *parley.Story
		orderKey := ""
		if e.comment != nil {
			orderKey = "comment:" + e.comment.ID
			if story = stories[e.comment.StoryID]; story == nil {
				if story, err = tx.GetStory(ctx, e.comment.StoryID); err != nil {
					return err
				}
				stories[story.ID] = story
			}
		} else if e.sanction != nil {
			orderKey = "sanction:" + e.sanction.ID
		}
		for _, h := range hooks {
			if !h.Wants(e.name) {
				continue
			}
			env, ok := buildEnvelope(e, h, site, story, now)
			if !ok {
				continue
			}
			env.ID = ulid.MustNew(ulid.Timestamp(now), ids).String()
			if _, err := s.enqueueDelivery(ctx, tx, h, orderKey, env, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// enqueueDelivery stores one delivery of env to h; env.ID is given a new
// ID if it has none.
func (s *Service) enqueueDelivery(ctx context.Context, tx parley.Store, h *parley.Webhook, orderKey string, env hookEnvelope, now time.Time) (*parley.WebhookDelivery, error) {
	if env.ID == "" {
		env.ID = parley.NewID(now)
	}
	body, err := json.Marshal(env)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Internal error.", err)
	}
	d := &parley.WebhookDelivery{ID: env.ID, SiteID: h.SiteID, WebhookID: h.ID, Event: env.Event, OrderKey: orderKey, Body: body,
		Status: parley.DeliveryPending, CreatedAt: now}
	if err := tx.CreateDelivery(ctx, d); err != nil {
		return nil, err
	}
	return d, s.enqueueWebhookOutbox(ctx, tx, d, "")
}

// decisionHooks are the events of a moderator's decision on c, which was
// in state from (with an edit pending if editPending).
func decisionHooks(c *parley.Comment, actor *parley.User, from parley.Status, editPending bool) []hookEvent {
	if c.Status == parley.StatusApproved {
		evs := []hookEvent{{name: parley.HookCommentApproved, comment: c, actor: actor, editApproved: editPending && from == parley.StatusApproved}}
		if editPending && from == parley.StatusApproved {
			// The edit is public now: public hooks hear of it as an edit.
			evs = append(evs, hookEvent{name: parley.HookCommentEdited, comment: c, actor: actor, editApproved: true, audience: audiencePublic})
		}
		return evs
	}
	return []hookEvent{{name: parley.HookCommentRejected, comment: c, actor: actor, wasPublic: from == parley.StatusApproved}}
}
