package service

import (
	"slices"
	"strings"

	"github.com/parley-comments/parley"
)

// SiteAllowsOrigin reports whether a browser page on origin may act on
// site: origin must be one of the site's origins. The empty origin (a
// request that is not from a browser page, or from Parley's own pages,
// which httpapi checks itself) is allowed.
func SiteAllowsOrigin(site *parley.Site, origin string) bool {
	if origin == "" {
		return true
	}
	return slices.Contains(site.Origins, strings.ToLower(origin))
}

// checkOrigin returns EFORBIDDEN unless a's page origin may act on site.
func checkOrigin(site *parley.Site, a Author) error {
	if SiteAllowsOrigin(site, a.Origin) {
		return nil
	}
	return parley.Errorf(parley.EFORBIDDEN, "Pages on %s may not post to %s.", a.Origin, site.Name)
}
