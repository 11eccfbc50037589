package service

import (
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
)

// TestAutoRejectNeverBelowTheModelsLanguageThreshold: a site that sets a low
// auto-reject threshold still cannot auto-reject Armenian or Azerbaijani
// comments below the model's thresholds for them, nor below the floor for
// languages the model learned without a labeled corpus.
func TestAutoRejectNeverBelowTheModelsLanguageThreshold(t *testing.T) {
	t.Parallel()
	model, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{classifier: model}
	site := parley.Settings{AutoReject: map[parley.Label]float64{parley.LabelPersonalAttack: 0.3}}
	for _, lang := range []string{"hy", "hy-Latn", "az"} {
		got := s.autoRejectThresholds(site, lang).AutoReject[parley.LabelPersonalAttack]
		if got < 0.9 || got < model.Threshold(lang, parley.LabelPersonalAttack) {
			t.Errorf("%s: effective threshold %.2f", lang, got)
		}
	}
	if site.AutoReject[parley.LabelPersonalAttack] != 0.3 {
		t.Fatal("the site's own settings were modified")
	}
	high := parley.Settings{AutoReject: map[parley.Label]float64{parley.LabelPersonalAttack: 0.97}}
	if got := s.autoRejectThresholds(high, "en").AutoReject[parley.LabelPersonalAttack]; got != 0.97 {
		t.Errorf("a site threshold above the model's was changed to %.2f", got)
	}
}
