package service

import (
	"context"
	"encoding/json"
	"net/mail"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
)

// EnqueueEmail validates e and writes it to the outbox in tx, for the site
// and with the dedupe key given (see parley.OutboxMessage.DedupeKey). Call
// it inside Store.InTx with the change that causes the mail, then call
// KickOutbox after the commit. Without a registered email sender the mail
// is logged and stays pending in the outbox until one is configured.
func (s *Service) EnqueueEmail(ctx context.Context, tx parley.Store, siteID, dedupeKey string, e parley.Email) error {
	if err := validateEmail(&e); err != nil {
		return err
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot encode an email.", err)
	}
	now := s.now()
	m := &parley.OutboxMessage{ID: parley.NewID(now), SiteID: siteID, Kind: parley.OutboxEmail, DedupeKey: dedupeKey,
		Payload: payload, CreatedAt: now}
	if err := tx.EnqueueOutbox(ctx, m); err != nil {
		return err
	}
	if !s.HasOutboxSender(parley.OutboxEmail) {
		// The body can hold a sign-in link: only debug logs show it.
		s.log.InfoContext(ctx, "no SMTP server configured; email kept in the outbox", "id", m.ID, "site", siteID, "to", e.To, "subject", e.Subject)
		s.log.DebugContext(ctx, "unsent email", "id", m.ID, "text", e.Text)
	}
	return nil
}

// validateEmail checks an email payload before it is queued.
func validateEmail(e *parley.Email) error {
	addr, err := mail.ParseAddress(e.To)
	if err != nil || addr.Name != "" || addr.Address != e.To {
		return parley.Errorf(parley.EINVALID, "The recipient is not a valid email address.")
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return parley.Errorf(parley.EINVALID, "An email subject must be one line.")
	}
	if strings.TrimSpace(e.Subject) == "" || strings.TrimSpace(e.Text) == "" {
		return parley.Errorf(parley.EINVALID, "An email needs a subject and a plain-text body.")
	}
	if e.ListUnsubscribe != "" {
		u, err := url.Parse(e.ListUnsubscribe)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || strings.ContainsAny(e.ListUnsubscribe, "\r\n<> ") {
			return parley.Errorf(parley.EINVALID, "The unsubscribe link is not a valid URL.")
		}
	}
	return nil
}

// OutboxItem is an outbox message as an admin sees it: the recipient and
// subject of an email, never its body (it may hold a sign-in link).
type OutboxItem struct {
	*parley.OutboxMessage
	To      string `json:"to,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// OutboxPage is one page of a site's outbox.
type OutboxPage struct {
	Items      []*OutboxItem `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// Outbox lists a site's outbox messages for its admins, newest first;
// status "" lists every status.
func (s *Service) Outbox(ctx context.Context, actor *parley.User, siteID string, status parley.OutboxStatus, cursor string, limit int) (*OutboxPage, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	switch status {
	case "", parley.OutboxPending, parley.OutboxSent, parley.OutboxParked:
	default:
		return nil, parley.Errorf(parley.EINVALID, "Unknown outbox status %q.", status)
	}
	ms, next, err := s.store.ListOutbox(ctx, parley.OutboxFilter{SiteID: siteID, Status: status, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, err
	}
	page := &OutboxPage{Items: make([]*OutboxItem, 0, len(ms)), NextCursor: next}
	for _, m := range ms {
		page.Items = append(page.Items, outboxItem(m))
	}
	return page, nil
}

func outboxItem(m *parley.OutboxMessage) *OutboxItem {
	it := &OutboxItem{OutboxMessage: m}
	if m.Kind == parley.OutboxEmail {
		var e parley.Email
		if json.Unmarshal(m.Payload, &e) == nil {
			it.To, it.Subject = e.To, e.Subject
		}
	}
	return it
}

// RetryOutboxMessage puts a parked message back in the queue, with its
// attempts reset, for an admin of its site. EINVALID unless it is parked.
func (s *Service) RetryOutboxMessage(ctx context.Context, actor *parley.User, siteID, id string) (*OutboxItem, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	m, err := s.store.GetOutbox(ctx, id)
	if err != nil || m.SiteID != siteID {
		return nil, notFoundAs(orNotFound(err), "Message not found.")
	}
	if m.Status != parley.OutboxParked {
		return nil, parley.Errorf(parley.EINVALID, "Only a parked message can be retried; this one is %s.", m.Status)
	}
	now := s.now()
	if err := s.store.RequeueOutbox(ctx, id, now); parley.IsCode(err, parley.ENOTFOUND) {
		return nil, parley.Errorf(parley.ECONFLICT, "The message changed; reload and try again.")
	} else if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "outbox message requeued by an admin", "id", id, "site", siteID, "actor", actor.ID)
	s.KickOutbox()
	m.Status, m.Attempts, m.NextAttemptAt, m.UpdatedAt = parley.OutboxPending, 0, now, now
	return outboxItem(m), nil
}

// orNotFound returns err, or ENOTFOUND when err is nil (the row exists but
// belongs to another site and must look missing).
func orNotFound(err error) error {
	if err == nil {
		return parley.Errorf(parley.ENOTFOUND, "Not found.")
	}
	return err
}
