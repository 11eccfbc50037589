package service

import (
	"context"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// cleanName cleans a display name (textnorm.CleanName) and checks its
// length.
func cleanName(raw string) (string, error) {
	name := textnorm.CleanName(raw)
	if name == "" || utf8.RuneCountInString(name) > MaxNameChars {
		return "", parley.Errorf(parley.EINVALID, "Please give a name of 1 to %d characters.", MaxNameChars)
	}
	return name, nil
}

// checkGuestName refuses a guest name that looks like the name of the
// site's staff or of one of its signed-in commenters.
func (s *Service) checkGuestName(ctx context.Context, siteID, name string) error {
	sk := textnorm.Skeleton(name)
	if sk == "" {
		return nil
	}
	taken, err := s.store.NameProtected(ctx, siteID, sk)
	if err != nil {
		return err
	}
	if taken {
		return &parley.Error{Code: parley.EINVALID, Fields: map[string]any{"field": "author_name"},
			Message: "This name looks like the name of someone on this site's staff or of a signed-in commenter. Please choose another name, or log in if it is yours."}
	}
	return nil
}

// protectName keeps guests from imitating a user's name on a site.
func protectName(ctx context.Context, st parley.Store, siteID string, u *parley.User) error {
	sk := textnorm.Skeleton(u.Name)
	if sk == "" {
		return nil
	}
	return st.ProtectName(ctx, siteID, sk, u.ID)
}

// ProtectStaffNames records the names of every site's members as
// protected. serve runs it at start, for members added before names were
// protected; it is idempotent.
func (s *Service) ProtectStaffNames(ctx context.Context) error {
	sites, err := s.store.ListSites(ctx)
	if err != nil {
		return err
	}
	for _, site := range sites {
		members, err := s.store.ListSiteMembers(ctx, site.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			u, err := s.store.GetUser(ctx, m.UserID)
			if err != nil {
				return err
			}
			if err := protectName(ctx, s.store, site.ID, u); err != nil {
				return err
			}
		}
	}
	return nil
}
