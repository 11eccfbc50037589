package classify

import (
	"context"
	"flag"
	"maps"
	"slices"
	"testing"
)

var crossval = flag.Bool("crossval", false, "run the spam cross-validation (minutes; prints the figures in docs/model-card.md)")

// TestSpamCrossValidation measures the spam head by 5-fold cross-validation
// on the YouTube rows outside the dev split: the 135 dev rows alone move the
// ROC-AUC by ±0.02. Each fold trains a linear model (no semantic part, whose
// spam weight is 0) on the train split of the other corpora plus four folds,
// and scores the fifth. It also reports how many of the other corpora's tune
// rows the first fold's model flags as spam at 0.5. It runs only with
// -crossval:
//
//	go test ./classify -run TestSpamCrossValidation -crossval -v -timeout 30m
func TestSpamCrossValidation(t *testing.T) {
	t.Parallel()
	if !*crossval {
		t.Skip("run with -crossval")
	}
	files := datasetRows(t)
	if files == nil {
		t.Fatalf("no datasets in %s", datasetsDir)
	}
	// Files in name order, so that the folds are the same on every run.
	names := slices.Sorted(maps.Keys(files))
	var spamRows, others, otherTune []Row
	for _, name := range names {
		for _, r := range files[name] {
			split := SplitOf(r.Text)
			switch {
			case r.Labels[spamLabel] >= 0 && split != SplitDev:
				spamRows = append(spamRows, r)
			case r.Labels[spamLabel] < 0 && split == SplitTrain:
				others = append(others, r)
			case r.Labels[spamLabel] < 0 && split == SplitTune:
				otherTune = append(otherTune, r)
			}
		}
	}
	if len(spamRows) < 100 {
		t.Fatalf("only %d rows with a spam label", len(spamRows))
	}
	const folds = 5
	ctx := context.Background()
	sum := 0.0
	for k := range folds {
		var train, held []Row
		train = append(train, others...)
		for i, r := range spamRows {
			if i%folds == k {
				held = append(held, r)
			} else {
				train = append(train, r)
			}
		}
		m, err := Train(ctx, train, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		preds, err := m.predict(ctx, held)
		if err != nil {
			t.Fatal(err)
		}
		ys := make([]int8, len(held))
		ps := make([]float64, len(held))
		for i, r := range held {
			ys[i], ps[i] = r.Labels[spamLabel], preds[i][spamLabel]
		}
		auc := rocAUC(ys, ps)
		if auc < 0.5 {
			t.Errorf("fold %d: spam ROC-AUC %.4f is worse than chance", k, auc)
		}
		t.Logf("fold %d: %d rows, spam ROC-AUC %.4f", k, len(held), auc)
		sum += auc
		if k == 0 {
			op, err := m.predict(ctx, otherTune)
			if err != nil {
				t.Fatal(err)
			}
			flagged := 0
			for _, p := range op {
				if p[spamLabel] >= 0.5 {
					flagged++
				}
			}
			t.Logf("fold 0 model: %d of %d tune rows of the other corpora score spam ≥ 0.5", flagged, len(otherTune))
		}
	}
	t.Logf("mean spam ROC-AUC over %d folds: %.4f", folds, sum/folds)
}
