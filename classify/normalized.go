package classify

import (
	"context"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// ClassifyNormalized is Classify for a caller that has already normalized
// text (n is textnorm.Normalize(text)), so that a pipeline which also needs
// the normalized text for its duplicate key and signature normalizes once.
// The verdict is the same as Classify's; evidence spans are byte offsets
// into text.
func (m *Model) ClassifyNormalized(ctx context.Context, text string, n textnorm.Result) (parley.Verdict, error) {
	if len(text) > maxTextBytes {
		return m.Classify(ctx, text) // scored on its first maxTextBytes, normalized again
	}
	if err := ctx.Err(); err != nil {
		return parley.Verdict{}, parley.WrapError(parley.EUNAVAILABLE, "Classification was cancelled.", err)
	}
	sc := m.getScratch()
	defer m.pool.Put(sc)
	return m.verdict(m.extractNorm(text, n, sc), sc), nil
}
