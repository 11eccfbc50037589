package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// formatScore prints a score with two decimals.
func formatScore(v float64) string { return fmt.Sprintf("%.2f", v) }

// clusterDetail explains a cluster match to moderators.
func clusterDetail(n int, why string) string {
	d := fmt.Sprintf("Nearly the same text as %d other recent comment(s) by other authors on this site.", n)
	if why != "" {
		d += " " + why
	}
	return d
}

func hasSanction(list []*parley.Sanction, kind parley.SanctionKind) bool {
	for _, s := range list {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

// blockingSanction returns ESANCTIONED if a ban or a current suspension
// applies. The message carries the moderator's reason.
func blockingSanction(list []*parley.Sanction, now time.Time) error {
	for _, s := range list {
		reason, until := strings.TrimSpace(s.Reason), s.Until.Format("2006-01-02 15:04 MST")
		switch {
		case s.Kind == parley.SanctionBan && reason == "":
			return parley.Errorf(parley.ESANCTIONED, "You can no longer comment on this site, by a moderator's decision.")
		case s.Kind == parley.SanctionBan:
			return parley.Errorf(parley.ESANCTIONED, "You can no longer comment on this site. Reason: %s", reason)
		case s.Kind == parley.SanctionSuspend && now.Before(s.Until) && reason == "":
			return parley.Errorf(parley.ESANCTIONED, "You cannot comment until %s, by a moderator's decision.", until)
		case s.Kind == parley.SanctionSuspend && now.Before(s.Until):
			return parley.Errorf(parley.ESANCTIONED, "You cannot comment until %s. Reason: %s", until, reason)
		}
	}
	return nil
}

// SanctionInput is a new sanction.
type SanctionInput struct {
	SiteID    string
	AuthorKey string
	Kind      parley.SanctionKind
	Reason    string
	Until     time.Time
	// RejectPending, with a ban, rejects everything the author has pending.
	RejectPending bool
}

// AddSanction applies a sanction to an author on a site. Moderators only.
func (s *Service) AddSanction(ctx context.Context, actor *parley.User, in SanctionInput) (*parley.Sanction, error) {
	if err := s.requireModerator(ctx, actor, in.SiteID); err != nil {
		return nil, err
	}
	switch in.Kind {
	case parley.SanctionTrusted, parley.SanctionPremod, parley.SanctionBan, parley.SanctionNoReports:
	case parley.SanctionSuspend:
		if !in.Until.After(s.now()) {
			return nil, parley.Errorf(parley.EINVALID, "A suspension needs an end date in the future.")
		}
	default:
		return nil, parley.Errorf(parley.EINVALID, "Sanction must be trusted, premod, suspend, ban or no_reports.")
	}
	if in.AuthorKey == "" || !strings.Contains(in.AuthorKey, ":") {
		return nil, parley.Errorf(parley.EINVALID, "An author is required.")
	}
	if len(in.Reason) > MaxNoteChars {
		return nil, parley.Errorf(parley.EINVALID, "The reason is too long.")
	}
	now := s.now()
	sn := &parley.Sanction{ID: parley.NewID(now), SiteID: in.SiteID, AuthorKey: in.AuthorKey, Kind: in.Kind,
		Reason: strings.TrimSpace(in.Reason), Until: in.Until.UTC(), CreatedBy: actor.ID, CreatedAt: now}
	err := s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreateSanction(ctx, sn); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: in.SiteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "sanction_" + string(in.Kind), Note: in.AuthorKey + ": " + sn.Reason, CreatedAt: now}); err != nil {
			return err
		}
		return s.emitHooks(ctx, tx, in.SiteID, hookEvent{name: parley.HookUserSanctioned, sanction: sn, actor: actor})
	})
	if err != nil {
		return nil, err
	}
	if in.Kind == parley.SanctionBan {
		if err := s.revokeBanned(ctx, in.AuthorKey); err != nil {
			return sn, err
		}
	}
	if in.Kind == parley.SanctionBan && in.RejectPending {
		if _, err := s.DecideWhere(ctx, actor, parley.QueueFilter{SiteID: in.SiteID, AuthorKey: in.AuthorKey, Status: parley.StatusPending},
			Decision{Action: ActionReject, Reason: parley.ReasonOther, Note: "Author banned: " + sn.Reason}); err != nil {
			return sn, err
		}
	}
	return sn, nil
}

// RemoveSanction lifts a sanction. Moderators only.
func (s *Service) RemoveSanction(ctx context.Context, actor *parley.User, siteID, id string) error {
	if err := s.requireModerator(ctx, actor, siteID); err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.DeleteSanction(ctx, siteID, id); err != nil {
			return notFoundAs(err, "Unknown sanction.")
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "sanction_removed", Note: id, CreatedAt: now})
	})
}

// Sanctions lists a site's sanctions, or one author's. Moderators only.
func (s *Service) Sanctions(ctx context.Context, actor *parley.User, siteID, authorKey string) ([]*parley.Sanction, error) {
	if err := s.requireModerator(ctx, actor, siteID); err != nil {
		return nil, err
	}
	return s.store.ListSanctions(ctx, siteID, authorKey)
}
