package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/classify"
)

// loadModel returns the model at path, or the embedded default for "".
func loadModel(path string) (*classify.Model, error) {
	if path == "" {
		return classify.Default()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	return classify.Load(f)
}

// runEval implements `parley eval --data a.csv[,b.csv] [--model m.bin] [--json] [--split dev] [--disguise]`.
// It scores every row and reports, for every label with known values,
// ROC-AUC, PR-AUC, and macro-F1, precision and recall at the model's
// shipped threshold.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "comma-separated CSV files (text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source)")
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	disguise := fs.Bool("disguise", false, "score a disguised copy of each comment: every listed word and a share (--disguise-rate) of the others spelled the way people hide words from filters")
	disguiseRate := fs.Float64("disguise-rate", 0.2, "with --disguise, the share of unlisted words disguised too")
	seed := fs.Uint64("seed", 1, "the random seed of --disguise and --simulate-moderation")
	simulate := fs.Bool("simulate-moderation", false, "replay the rows (shuffled with --seed) as one site's moderator decisions through the per-site adapter and print ROC-AUC on the rest after 0, 50, 100, 200, 500 and 1000 decisions")
	repeats := fs.Int("repeats", 1, "with --simulate-moderation, replay the stream this many times, shuffled with seeds --seed, --seed+1, …, and print the mean")
	language := fs.String("language", "", "score only rows whose lang column is this (en, ru, tr, az, hy, hy-Latn)")
	other := fs.String("other", "", "with --simulate-moderation, comma-separated CSV files of another site's comments, scored through this site's adapter")
	split := fs.String("split", "", "score only the rows of this split of `parley train` (train, tune or dev) or half of `parley tune-thresholds` (tune-half, held-out); default every row")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *data == "" {
		return errorf(ctx, "cli.err.required", "--data")
	}
	keep, err := splitFilter(*split)
	if err != nil {
		return errorf(ctx, "cli.err.split")
	}
	rows, err := readRows(*data, func(r classify.Row) bool { return keep(r) && (*language == "" || r.Lang == *language) })
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return errorf(ctx, "cli.err.no_rows", *data)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	if *simulate {
		var others []classify.Row
		if *other != "" {
			if others, err = readRows(*other, keep); err != nil {
				return err
			}
		}
		var runs [][]classify.SimPoint
		for i := 0; i < max(1, *repeats); i++ {
			points, err := classify.SimulateModeration(ctx, m, rows, others, *seed+uint64(i))
			if err != nil {
				return err
			}
			runs = append(runs, points)
		}
		points := classify.MeanSimulation(runs)
		if len(runs) > 1 && !*asJSON {
			fmt.Fprintf(stdout, "mean of %d shuffles (seeds %d to %d)\n", len(runs), *seed, *seed+uint64(len(runs)-1))
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(points)
		}
		printSimulation(stdout, points)
		if len(runs) > 1 {
			printGains(stdout, classify.SimulationGains(runs))
		}
		return nil
	}
	if *disguise {
		d := classify.NewDisguiser(m, *seed, *disguiseRate)
		for i := range rows {
			rows[i].Text = d.Disguise(rows[i].Text)
		}
	}
	rep, err := classify.Evaluate(ctx, m, rows)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.eval.speed", rep.N, rep.CommentsPerSecond))
	if rep.Civil.N > 0 {
		fmt.Fprintln(stdout, tr(ctx, "cli.eval.civil", rep.Civil.Flagged, rep.Civil.N, 100*rep.Civil.Rate))
	}
	fmt.Fprintf(stdout, "%-16s %6s %6s %8s %8s %8s %9s %7s %9s\n", "label", "n", "pos", "roc_auc", "pr_auc", "macro_f1", "precision", "recall", "threshold")
	labels := make([]string, 0, len(rep.Labels))
	for l := range rep.Labels {
		labels = append(labels, string(l))
	}
	sort.Strings(labels)
	for _, l := range labels {
		b, _ := json.Marshal(rep.Labels[parley.Label(l)])
		var v map[string]float64
		_ = json.Unmarshal(b, &v)
		fmt.Fprintf(stdout, "%-16s %6.0f %6.0f %8.3f %8.3f %8.3f %9.3f %7.3f %9.3f\n", l, v["n"], v["positives"], v["roc_auc"], v["pr_auc"], v["macro_f1"], v["precision"], v["recall"], v["threshold"])
	}
	return nil
}

// readRows reads the comma-separated CSV files in names and keeps the rows
// keep accepts.
func readRows(names string, keep func(classify.Row) bool) ([]classify.Row, error) {
	var rows []classify.Row
	for _, name := range strings.Split(names, ",") {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open data: %w", err)
		}
		rs, err := classify.ReadCSV(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if keep(r) {
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// printGains prints the spread over shuffles of each label's gain on the
// site's own rest: the least, the median and the largest, and how many
// shuffles gained at least 0.05.
func printGains(w io.Writer, gains []classify.SimGain) {
	fmt.Fprintf(w, "\ngain over 0 decisions, per shuffle\n%9s %15s %8s %8s %8s %10s\n", "decisions", "label", "least", "median", "largest", ">= +0.05")
	for _, g := range gains {
		n := len(g.Gains)
		reach := 0
		for _, x := range g.Gains {
			if x >= 0.05 {
				reach++
			}
		}
		fmt.Fprintf(w, "%9d %15s %+8.3f %+8.3f %+8.3f %5d of %d\n", g.Decisions, g.Label, g.Gains[0], g.Gains[n/2], g.Gains[n-1], reach, n)
	}
}

// printSimulation prints SimulateModeration's points as a table: ROC-AUC
// per label on the rest of the site's stream, then on the other site's
// rows.
func printSimulation(w io.Writer, points []classify.SimPoint) {
	fmt.Fprintf(w, "%9s %6s", "decisions", "rest")
	for _, l := range parley.Labels {
		fmt.Fprintf(w, " %15s", l)
	}
	if len(points) > 0 && points[0].Other != nil {
		fmt.Fprint(w, " | other site")
	}
	fmt.Fprintln(w)
	col := func(v map[parley.Label]float64, l parley.Label) string {
		if x, ok := v[l]; ok {
			return fmt.Sprintf(" %15.3f", x)
		}
		return fmt.Sprintf(" %15s", "-")
	}
	for _, p := range points {
		fmt.Fprintf(w, "%9d %6d", p.Decisions, p.Rest)
		for _, l := range parley.Labels {
			fmt.Fprint(w, col(p.Own, l))
		}
		if p.Other != nil {
			fmt.Fprint(w, " |")
			for _, l := range parley.Labels {
				if _, ok := p.Other[l]; ok {
					fmt.Fprintf(w, " %s %.3f", l, p.Other[l])
				}
			}
		}
		fmt.Fprintln(w)
	}
}

// splitFilter returns a filter for the rows of one of train's splits
// ("" keeps every row).
func splitFilter(name string) (func(classify.Row) bool, error) {
	if h, ok := map[string]int{"tune-half": classify.HalfTune, "held-out": classify.HalfHeldOut}[name]; ok {
		return func(r classify.Row) bool { return classify.HalfOf(r.Text) == h }, nil
	}
	want, ok := map[string]classify.Split{"train": classify.SplitTrain, "tune": classify.SplitTune, "dev": classify.SplitDev}[name]
	if name == "" {
		return func(classify.Row) bool { return true }, nil
	}
	if !ok {
		return nil, fmt.Errorf("--split must be train, tune or dev (the splits of parley train), or tune-half or held-out (the halves of tune-thresholds)")
	}
	return func(r classify.Row) bool { return classify.SplitOf(r.Text) == want }, nil
}

// runClassify implements `parley classify [--json] [--model m.bin] "text"`.
func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if text == "" || text == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return err
		}
		text = strings.TrimRight(string(b), "\n")
	}
	if strings.TrimSpace(text) == "" {
		return errorf(ctx, "cli.classify.no_text")
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	v, err := m.Classify(ctx, text)
	if err != nil {
		return err
	}
	if *asJSON {
		type span struct {
			parley.Evidence
			Text string `json:"text"`
		}
		out := struct {
			parley.Verdict
			Evidence []span `json:"evidence"`
		}{Verdict: v, Evidence: []span{}}
		for _, e := range v.Evidence {
			out.Evidence = append(out.Evidence, span{Evidence: e, Text: text[e.Start:e.End]})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.classify.language", v.Language))
	for _, l := range parley.Labels {
		mark := ""
		if v.Scores[l] >= m.Threshold(v.Language, l) {
			mark = tr(ctx, "cli.classify.above")
		}
		fmt.Fprintf(stdout, "%-16s %.3f%s\n", l, v.Scores[l], mark)
	}
	if v.SuggestedReason != "" {
		fmt.Fprintln(stdout, tr(ctx, "cli.classify.reason", v.SuggestedReason))
	}
	for _, e := range v.Evidence {
		fmt.Fprintln(stdout, tr(ctx, "cli.classify.evidence", e.Start, e.End, text[e.Start:e.End], e.Label))
	}
	return nil
}

// runTuneThresholds implements `parley tune-thresholds --data a.csv[,b.csv]
// [--model m.bin] [--precision 0.9] --out m.bin`: it sets the tr, az, hy and
// hy-Latn thresholds of the model from measured precision on the tune half
// of the rows (classify.HalfOf) and writes the model.
func runTuneThresholds(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tune-thresholds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "comma-separated labeled CSV files; only the rows of their tune half are read")
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	everyday := fs.String("everyday", "", "comma-separated CSV files of everyday comments (e.g. offenseval-tr.train.csv); the rows of their tune split (parley train's) count too, a row not toxic as a negative for every reason but spam")
	precision := fs.Float64("precision", 0.9, "the least precision a threshold must have on the tune half")
	out := fs.String("out", "", "where to write the model")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *data == "" || *out == "" {
		return fmt.Errorf("--data and --out are required")
	}
	rows, err := readRows(*data, func(r classify.Row) bool { return classify.HalfOf(r.Text) == classify.HalfTune })
	if err != nil {
		return err
	}
	if *everyday != "" {
		more, err := readRows(*everyday, func(r classify.Row) bool { return classify.SplitOf(r.Text) == classify.SplitTune })
		if err != nil {
			return err
		}
		rows = append(rows, more...)
	}
	m, err := loadModel(*modelPath)
	if err != nil {
		return err
	}
	set, err := m.TuneMeasuredThresholds(ctx, rows, *precision)
	if err != nil {
		return err
	}
	langs := make([]string, 0, len(set))
	for l := range set {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		fmt.Fprintf(stdout, "%-8s", l)
		for i, lab := range parley.Labels {
			if t := set[l][i]; t > 0 {
				fmt.Fprintf(stdout, " %s %.2f", lab, t)
			} else {
				fmt.Fprintf(stdout, " %s (floors)", lab)
			}
		}
		fmt.Fprintln(stdout)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
