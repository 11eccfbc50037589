package service

import (
	"context"
	"sort"

	"github.com/parley-comments/parley"
)

// TeamMember is a user with a role on a site, as the site's admins see it.
type TeamMember struct {
	UserID string
	Name   string
	Email  string
	Role   parley.Role
}

// Team lists the users with a role on a site (admins first, then
// moderators, then authors; by name within a role). Admins of the site
// only: EUNAUTHORIZED without a user, EFORBIDDEN for anyone else.
func (s *Service) Team(ctx context.Context, actor *parley.User, siteID string) ([]TeamMember, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	ms, err := s.store.ListSiteMembers(ctx, siteID)
	if err != nil {
		return nil, err
	}
	out := make([]TeamMember, 0, len(ms))
	for _, m := range ms {
		u, err := s.store.GetUser(ctx, m.UserID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, TeamMember{UserID: u.ID, Name: u.Name, Email: u.Email, Role: m.Role})
	}
	rank := map[parley.Role]int{parley.RoleAdmin: 0, parley.RoleModerator: 1, parley.RoleAuthor: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Role] != rank[out[j].Role] {
			return rank[out[i].Role] < rank[out[j].Role]
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
