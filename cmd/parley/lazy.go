package main

import (
	"context"
	"sync"

	"github.com/parley-comments/parley"
)

// lazyClassifier loads the embedded model on first use (or when Warm is
// called once the server listens), so that loading it never delays the
// start. A request that needs it before it is loaded waits for it.
type lazyClassifier struct {
	once sync.Once
	m    parley.Classifier
	err  error
}

func (l *lazyClassifier) load() (parley.Classifier, error) {
	l.once.Do(func() { l.m, l.err = loadClassifier() })
	return l.m, l.err
}

// Warm loads the model now.
func (l *lazyClassifier) Warm() error { _, err := l.load(); return err }

// Classify scores text with the model, loading it first if needed.
func (l *lazyClassifier) Classify(ctx context.Context, text string) (parley.Verdict, error) {
	m, err := l.load()
	if err != nil {
		return parley.Verdict{}, parley.WrapError(parley.EUNAVAILABLE, "The classifier could not be loaded.", err)
	}
	return m.Classify(ctx, text)
}

// Threshold is the model's own per-language threshold (see
// classify.Model.Threshold); 0.5 if the model cannot be loaded.
func (l *lazyClassifier) Threshold(lang string, lb parley.Label) float64 {
	m, err := l.load()
	th, ok := m.(interface {
		Threshold(lang string, l parley.Label) float64
	})
	if err != nil || !ok {
		return 0.5
	}
	return th.Threshold(lang, lb)
}
