package service

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/parley-comments/parley"
)

var siteIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CreateSite adds a tenant. id is a short slug; origins are the news site's
// origins (scheme://host[:port]) allowed to call the API from a browser.
func (s *Service) CreateSite(ctx context.Context, id, name string, origins []string) (*parley.Site, error) {
	if !siteIDPattern.MatchString(id) {
		return nil, parley.Errorf(parley.EINVALID, "A site ID is 1 to 63 lowercase letters, digits or dashes.")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, parley.Errorf(parley.EINVALID, "A site name is required.")
	}
	clean := make([]string, 0, len(origins))
	for _, o := range origins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			return nil, err
		}
		clean = append(clean, n)
	}
	site := &parley.Site{ID: id, Name: name, Origins: clean, CreatedAt: s.now()}
	defer s.forgetOrigins()
	if err := s.store.CreateSite(ctx, site); err != nil {
		if parley.IsCode(err, parley.ECONFLICT) {
			return nil, parley.Errorf(parley.ECONFLICT, "A site with ID %q already exists.", id)
		}
		return nil, err
	}
	return site, nil
}

// NormalizeOrigin validates an origin and returns it as scheme://host[:port].
func NormalizeOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", parley.Errorf(parley.EINVALID, "Origin %q must look like https://news.example.", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// storyOnSite refuses a story URL outside the site's origins, so that
// nobody can hang a story on another domain off a site.
func storyOnSite(site *parley.Site, storyURL string) error {
	u, err := url.Parse(storyURL)
	if err == nil && slices.Contains(site.Origins, strings.ToLower(u.Scheme+"://"+u.Host)) {
		return nil
	}
	if len(site.Origins) == 0 {
		return parley.Errorf(parley.EINVALID, "This site has no origins configured, so it takes no comments yet; an admin adds them with parley site add --origin.")
	}
	return parley.Errorf(parley.EINVALID, "The story URL must be on one of this site's origins (%s).", strings.Join(site.Origins, ", "))
}

// Site returns a site. ENOTFOUND if unknown.
func (s *Service) Site(ctx context.Context, id string) (*parley.Site, error) {
	site, err := s.store.GetSite(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Unknown site.")
	}
	return site, nil
}

// UpdateSiteSettings replaces a site's settings. Admins of the site only.
func (s *Service) UpdateSiteSettings(ctx context.Context, actor *parley.User, siteID string, settings parley.Settings) (*parley.Site, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	if settings.Mode != "" && !settings.Mode.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "Mode must be pre or post.")
	}
	for l, v := range settings.AutoReject {
		if !validLabel(l) || v <= 0 || v > 1 {
			return nil, parley.Errorf(parley.EINVALID, "Auto-reject thresholds must be known labels with values in (0, 1].")
		}
	}
	if settings.AutoApproveTrusted < 0 || settings.AutoApproveTrusted > 1 {
		return nil, parley.Errorf(parley.EINVALID, "auto_approve_trusted must be in [0, 1].")
	}
	if settings.HideAfterReports < 0 || settings.HideAfterReports > MaxHideAfterReports {
		return nil, parley.Errorf(parley.EINVALID, "hide_after_reports must be from 0 (never) to %d.", MaxHideAfterReports)
	}
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return nil, err
	}
	site.Settings = settings
	defer s.siteCache.forget(siteID)
	if err := s.store.UpdateSite(ctx, site); err != nil {
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: parley.EventSiteUpdated, SiteID: site.ID, At: s.now()})
	return site, nil
}

func validLabel(l parley.Label) bool {
	for _, x := range parley.Labels {
		if x == l {
			return true
		}
	}
	return false
}
