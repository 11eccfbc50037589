package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// bulkOpener is a store that offers a separate store for large writes (an
// import's batches): sqlstore.DB.OpenBulk.
type bulkOpener interface {
	OpenBulk(ctx context.Context) (parley.Store, func() error, error)
}

// openBulk returns the store an import writes through, and its release.
func (s *Service) openBulk(ctx context.Context) (parley.Store, func() error, error) {
	if b, ok := s.store.(bulkOpener); ok {
		return b.OpenBulk(ctx)
	}
	return s.store, func() error { return nil }, nil
}
