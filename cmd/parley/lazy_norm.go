package main

import (
	"context"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// ClassifyNormalized passes an already normalized text to the model
// (classify.Model.ClassifyNormalized), so that imports normalize each
// comment once.
func (l *lazyClassifier) ClassifyNormalized(ctx context.Context, text string, n textnorm.Result) (parley.Verdict, error) {
	m, err := l.load()
	if err != nil {
		return parley.Verdict{}, parley.WrapError(parley.EUNAVAILABLE, "The classifier could not be loaded.", err)
	}
	if nc, ok := m.(interface {
		ClassifyNormalized(context.Context, string, textnorm.Result) (parley.Verdict, error)
	}); ok {
		return nc.ClassifyNormalized(ctx, text, n)
	}
	return m.Classify(ctx, text)
}
