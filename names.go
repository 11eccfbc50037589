package parley

import "context"

// NameStore keeps, per site, the look-alike skeletons (textnorm.Skeleton)
// of names a guest may not take: the site's staff and its signed-in
// commenters. One indexed lookup answers whether a guest name imitates one.
type NameStore interface {
	// ProtectName records that skeleton is userID's name on a site. It is
	// idempotent.
	ProtectName(ctx context.Context, siteID, skeleton, userID string) error
	// NameProtected reports whether skeleton is a protected name on a site.
	NameProtected(ctx context.Context, siteID, skeleton string) (bool, error)
}
