package classify

import (
	"context"
	"encoding/csv"
	"errors"
	"hash/fnv"
	"io"
	"math"
	"math/rand"
	"sort"
	"strings"

	"github.com/parley-comments/parley"
)

// Row is one labeled comment in the CSV format of ../shared/datasets:
// text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source.
type Row struct {
	Text   string
	Lang   string
	Source string
	// Labels holds 1, 0, or -1 for unknown, in the order of parley.Labels.
	Labels [nLabels]int8
}

// ReadCSV reads labeled rows. The header row must name the columns; label
// columns may be empty (unknown). A malformed file is an EINVALID error.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, "The data file has no header row.", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	if _, ok := col["text"]; !ok {
		return nil, parley.Errorf(parley.EINVALID, "The data file has no text column.")
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, parley.WrapErrorf(parley.EINVALID, err, "The data file is malformed near line %d.", line)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := Row{Text: rec[col["text"]], Lang: get("lang"), Source: get("source")}
		for i, l := range parley.Labels {
			switch get(string(l)) {
			case "1":
				row.Labels[i] = 1
			case "0":
				row.Labels[i] = 0
			case "":
				row.Labels[i] = -1
			default:
				return nil, parley.Errorf(parley.EINVALID, "Label %s must be 0, 1 or empty near line %d.", l, line)
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// Split is the stable dev split of a row: SplitTrain, SplitTune (used to
// pick thresholds) or SplitDev (used only to report metrics), from an FNV
// hash of the text, so that every run and every machine agrees.
type Split int

// Splits.
const (
	SplitTrain Split = iota
	SplitTune
	SplitDev
)

// SplitOf returns the split of a text: 10% dev, 10% tune, 80% train.
func SplitOf(text string) Split {
	h := fnv.New32a()
	h.Write([]byte(text))
	switch h.Sum32() % 10 {
	case 0:
		return SplitDev
	case 1:
		return SplitTune
	}
	return SplitTrain
}

// TrainOptions tunes Train. Zero values mean the defaults.
type TrainOptions struct {
	Bits         int     // hash space is 1<<Bits buckets; default 20
	Epochs       int     // default 10
	LearningRate float64 // AdaGrad base rate; default 0.2
	L2           float64 // L2 penalty per update; default 1e-6
	Seed         int64   // shuffling seed; default 1
	// Tune rows pick each label's threshold (best F1). Without them the
	// thresholds are 0.5.
	Tune []Row
	// Embeddings, if set, are pretrained English word vectors for the
	// semantic head (see semantic.go). Without them the model is linear.
	Embeddings *Embeddings
	// SemanticVocab is how many of the most frequent embedding words the
	// model keeps, besides those in the English training rows; default
	// 80,000.
	SemanticVocab int
	// SemanticHidden is the semantic head's hidden width; default 64.
	SemanticHidden int
	// SemanticEpochs is the semantic head's training epochs; default 10.
	SemanticEpochs int
	// Logf, if set, receives progress lines.
	Logf func(format string, args ...any)
}

// srcBias marks the heads that have a per-source bias in training: toxic,
// personal_attack and obscenity. Not spam, whose negatives from the
// non-spam corpora are real, and not hate_speech, whose corpus bias made
// the shared weights flag news discussion of genocide.
var srcBias = [nLabels]bool{true, true, false, true, false}

// weakNegativeWeight is the loss weight of implied spam=0 on rows from
// corpora that never label spam (tweets, forum posts, VK comments). It is
// the trade between ranking YouTube comments (5-fold ROC-AUC 0.986 at 0.02,
// 0.982 at 0.05, 0.979 at 0.1) and not calling everyday comments spam
// ("Thanks for the reporting." 0.49, 0.17 and 0.09); see adagradInit.
var weakNegativeWeight float32 = 0.05

// spamRepeat is how many times each row with a spam label is visited per
// epoch: the spam corpus is 2% of the rows, and with one visit the spam
// head had not converged (tune ROC-AUC 0.976 with 1, 0.999 with 3).
const spamRepeat = 3

// adagradInit is the starting value of every AdaGrad accumulator. With 0,
// AdaGrad's first step on a feature is the full learning rate whatever the
// gradient's size, so a row with loss weight 0.02 (a spam weak negative)
// moved a rare n-gram as far as a labeled row did, and the other corpora's
// tweets drowned YouTube's spam n-grams. 0.01 makes small gradients take
// small first steps: 5-fold spam ROC-AUC on the YouTube rows 0.975 → 0.986;
// on tune, the other labels moved within ±0.003 (0.1 cost Russian 0.010).
const adagradInit = 0.01

// targets returns the training targets of a row and their weights. Labels
// the data leaves empty are masked out (weight 0), except that an attack,
// hate or obscenity is toxic, and rows of non-spam corpora are weak
// negatives for spam.
//
// "Not toxic implies no attack" is true but deliberately not used: Russian
// and Turkish rows would then be negatives for the attack, hate and
// obscenity heads with no positives, and those heads would learn "Cyrillic
// means clean" instead of transferring from the word lists.
func targets(r Row) (y [nLabels]float32, w [nLabels]float32) {
	return weakTargets(r, nil)
}

// weakAttackNegWeight is the loss weight of a toxic Russian or Turkish
// row with only obscene word-list hits as a negative for P(attack | toxic).
var weakAttackNegWeight float32 = 0.1

// weakLabelWeight is the loss weight of labels inferred from word lists.
const weakLabelWeight = 0.5

// weakTargets is targets plus distant supervision from the word lists for
// rows that know toxic but nothing finer (the Russian and Turkish corpora):
// a toxic row with an insult, obscene or slur word-list hit is a weak
// positive for personal_attack, obscenity or hate_speech, and a non-toxic
// row is a weak negative for all three. Toxic rows without a hit stay
// unknown. This gives those heads examples on both sides in every language
// with data, instead of none.
func weakTargets(r Row, hits []lexHit) (y [nLabels]float32, w [nLabels]float32) {
	y, w = strictTargets(r)
	const toxic = 0
	if hits == nil && r.Labels[toxic] != 0 {
		return y, w
	}
	for l := 1; l <= 3; l++ {
		if r.Labels[l] >= 0 || r.Labels[toxic] < 0 {
			continue
		}
		if r.Labels[toxic] == 0 {
			y[l], w[l] = 0, weakLabelWeight
			continue
		}
		for _, h := range hits {
			if labelIndex(catLabel[h.cat]) == l {
				y[l], w[l] = 1, weakLabelWeight
			}
		}
	}
	return y, w
}

func strictTargets(r Row) (y [nLabels]float32, w [nLabels]float32) {
	lab := r.Labels
	const toxic, attack, hate, obscene, spam = 0, 1, 2, 3, 4
	if lab[toxic] < 0 && (lab[attack] == 1 || lab[hate] == 1 || lab[obscene] == 1) {
		lab[toxic] = 1
	}
	for i := range lab {
		if lab[i] >= 0 {
			y[i], w[i] = float32(lab[i]), 1
		}
	}
	if lab[spam] < 0 && lab[toxic] >= 0 || lab[spam] < 0 && lab[hate] >= 0 {
		y[spam], w[spam] = 0, weakNegativeWeight
	}
	return y, w
}

// newModel returns an untrained model with word lists and language profiles.
func newModel(bits int, rows []Row) (*Model, error) {
	lex, err := loadLexicons()
	if err != nil {
		return nil, err
	}
	samples, err := langSamples()
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		switch r.Lang {
		case langEn, langTr:
			samples[r.Lang] = append(samples[r.Lang], r.Text)
		}
	}
	m := &Model{bits: uint8(bits), weights: make([]float32, (1<<bits)*nLabels), lex: lex, lang: buildLangID(samples)}
	for i := range m.thresholds {
		m.thresholds[i] = 0.5
	}
	return m, nil
}

// Train fits a model to rows with AdaGrad on the logistic loss of each head,
// masking unknown labels out of the loss. It stops early with ctx's error.
func Train(ctx context.Context, rows []Row, opts TrainOptions) (*Model, error) {
	if opts.Bits == 0 {
		opts.Bits = 20
	}
	if opts.Bits < 10 || opts.Bits > 24 {
		return nil, parley.Errorf(parley.EINVALID, "Bits must be between 10 and 24.")
	}
	if opts.Epochs == 0 {
		opts.Epochs = 10
	}
	if opts.LearningRate == 0 {
		opts.LearningRate = 0.2
	}
	if opts.L2 == 0 {
		opts.L2 = 1e-6
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.SemanticVocab == 0 {
		opts.SemanticVocab = 80000
	}
	if opts.SemanticHidden == 0 {
		opts.SemanticHidden = 64
	}
	if opts.SemanticEpochs == 0 {
		opts.SemanticEpochs = 10
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if len(rows) == 0 {
		return nil, parley.Errorf(parley.EINVALID, "There are no rows to train on.")
	}
	m, err := newModel(opts.Bits, rows)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "The classifier could not be set up.", err)
	}
	m.hierAttack = true

	// Extract features once.
	// Each source has a bias of its own for the heads in srcBias during
	// training only: it absorbs the corpus's label prior (Davidson's
	// tweets are 83% offensive, OffensEval's 19%), so that the shared
	// weights learn what is offensive rather than which corpus a text is
	// from. The model keeps no source bias.
	srcIndex := map[string]int{}
	mask := uint32(1)<<m.bits - 1
	exs := make([]example, 0, len(rows))
	spamLangs := map[string]bool{}
	for _, r := range rows {
		if r.Labels[spamLabel] == 1 {
			spamLangs[r.Lang] = true
		}
	}
	sc := &scratch{}
	// Rows with a human hate_speech label and a group_hate word-list hit,
	// and how many of them are hate speech: the rule's precision.
	ghN, ghPos := 0, 0
	// The English rows' words, for the semantic head.
	var semWords [][]string
	if opts.Embeddings != nil {
		semWords = make([][]string, len(rows))
	}
	semExtra := map[string]bool{}
	for k, r := range rows {
		if k%5000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a := m.extract(r.Text, sc)
		if opts.Embeddings != nil && r.Lang == semanticLang {
			var ws []string
			for i, w := range sc.words {
				if !sc.skip[i] {
					ws = append(ws, strings.Clone(w))
					semExtra[w] = true
				}
			}
			semWords[k] = ws
		}
		e := example{idx: make([]uint32, len(sc.feats)), val: make([]float32, len(sc.feats))}
		for j, f := range sc.feats {
			e.idx[j], e.val[j] = f.idx&mask, f.val
		}
		e.src = -1
		if r.Source != "" {
			si, ok := srcIndex[r.Source]
			if !ok {
				si = len(srcIndex)
				srcIndex[r.Source] = si
			}
			e.src = si
		}
		e.y, e.w = weakTargets(r, a.hits)
		if r.Labels[spamLabel] < 0 && !spamLangs[r.Lang] {
			// Spam negatives only where spam has positives: in a language
			// without spam data they would teach "this language is never
			// spam", and its word-list spam hits would count for nothing.
			e.w[spamLabel] = 0
		}
		if r.Labels[2] >= 0 && hasCat(a.hits, catGroupHate) {
			ghN++
			ghPos += int(r.Labels[2])
		}
		if m.hierAttack {
			// The attack head learns P(attack | toxic): only toxic rows
			// count. Where the attack label is unknown (Russian, Turkish),
			// a toxic row that addresses someone and has an obscene or
			// insult word-list hit is a weak positive, and one with only
			// obscene hits that addresses no one is a weak negative
			// ("toxic, but not aimed at a person").
			switch {
			case e.w[0] == 0 || e.y[0] == 0:
				e.w[1] = 0
			case r.Labels[1] >= 0:
			case a.target && (hasCat(a.hits, catObscene) || hasCat(a.hits, catInsult)):
				e.y[1], e.w[1] = 1, weakLabelWeight
			case e.w[1] == 0 && hasCat(a.hits, catObscene):
				e.y[1], e.w[1] = 0, weakAttackNegWeight
			}
		}
		exs = append(exs, e)
	}
	logf("features extracted for %d rows", len(exs))
	nbR := naiveBayesRatios(exs, len(m.weights), nbAlpha)
	w, err := fitLinear(ctx, exs, rows, len(srcIndex), nbR, opts, logf)
	if err != nil {
		return nil, err
	}
	if plainShare > 0 {
		ones := naiveBayesRatios(exs, len(m.weights), 0)
		plain, err := fitLinear(ctx, exs, rows, len(srcIndex), ones, opts, logf)
		if err != nil {
			return nil, err
		}
		for i := range w {
			w[i] = (1-plainShare)*w[i] + plainShare*plain[i]
		}
	}
	m.weights = w
	m.quantize()
	// Laplace-smoothed, so that a handful of rows cannot make it 0 or 1.
	m.groupHateRate = float32(ghPos+1) / float32(ghN+2)
	logf("group_hate pattern: %d of %d labeled rows are hate speech (rate %.2f)", ghPos, ghN, m.groupHateRate)
	if opts.Embeddings != nil {
		sem := newSemantic(opts.Embeddings, opts.SemanticVocab, semExtra, opts.SemanticHidden)
		logf("semantic vocabulary: %d words", len(sem.vocab))
		var sexs []semExample
		for k, ws := range semWords {
			if ws == nil {
				continue
			}
			x := make([]float32, sem.dim)
			if sem.average(ws, nil, x) {
				sexs = append(sexs, semExample{x: x, y: exs[k].y, w: exs[k].w, src: exs[k].src})
			}
		}
		so := semanticTrainOptions{epochs: opts.SemanticEpochs, lr: 1e-3, l2: 1e-5, seed: opts.Seed}
		if err := sem.train(ctx, sexs, len(srcIndex), so, logf); err != nil {
			return nil, err
		}
		m.sem = sem
		if len(opts.Tune) > 0 {
			if err := m.tuneMix(ctx, opts.Tune); err != nil {
				return nil, err
			}
			logf("semantic mix: %v", sem.mix)
		}
	}
	if len(opts.Tune) > 0 {
		if err := m.tuneThresholds(ctx, opts.Tune); err != nil {
			return nil, err
		}
		logf("thresholds: %v by language: %v", m.thresholds, m.langThresholds)
	}
	return m, nil
}

// mixTie is the ROC-AUC gain a larger mixing weight needs over a smaller
// one in tuneMix.
const mixTie = 1e-4

// mixChoices are the semantic mixing weights tuneMix tries.
var mixChoices = []float32{0, 0.25, 0.5, 0.75, 1, 1.5, 2}

// tuneMix picks each label's semantic mixing weight: the one with the best
// ROC-AUC on the tune rows the semantic head applies to, averaged over the
// sources with at least 30 rows of each class. Toxic comes first, since
// the hierarchical attack score depends on it.
func (m *Model) tuneMix(ctx context.Context, rows []Row) error {
	// The English tune rows that have words with vectors, and their linear
	// and semantic logits.
	var (
		rs       []Row
		lin, sem [][nLabels]float64
	)
	sc := &scratch{}
	for i, r := range rows {
		if i%2000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		a := m.extract(r.Text, sc)
		if a.lang != semanticLang {
			continue
		}
		sz, ok := m.sem.logits(sc.words, sc.skip, sc)
		if !ok {
			continue
		}
		var z [nLabels]float64
		for l := range nLabels {
			z[l] = float64(sz[l])
		}
		rs = append(rs, r)
		lin = append(lin, m.linear(sc.feats))
		sem = append(sem, z)
	}
	m.sem.mix = [nLabels]float32{}
	for l := range nLabels {
		if l == spamLabel {
			// Not spam: the semantic part's only spam positives are YouTube
			// comments and its negatives tweets and forum posts, so its spam
			// logit tells those apart, and it called a polite "Thanks for
			// the reporting" 0.43 spam. The tune rows cannot show that.
			continue
		}
		bestMix, bestAUC := float32(0), -1.0
		for _, c := range mixChoices {
			m.sem.mix[l] = c
			groups := sourceGroups(rs, l, func(int) bool { return true }, func(i int) float64 {
				var z [nLabels]float64
				for k := range nLabels {
					z[k] = lin[i][k] + float64(m.sem.mix[k])*sem[i][k]
				}
				return m.probabilities(z)[l]
			})
			if len(groups) == 0 {
				continue
			}
			sum := 0.0
			for _, g := range groups {
				sum += rocAUC(g.ys, g.ps)
			}
			auc := sum / float64(len(groups))
			// A larger weight must beat the smaller ones by more than
			// mixTie; where ROC-AUC cannot tell (spam ranks the tune rows
			// almost perfectly without it), the semantic part stays out.
			// Choosing by log loss there mixed a spam logit in that called
			// "Thanks for the reporting" 0.43 spam.
			if auc > bestAUC+mixTie {
				bestMix, bestAUC = c, auc
			}
		}
		m.sem.mix[l] = bestMix
	}
	return nil
}

// minTuneClass is the least number of tune rows of each class a source
// needs to count in choosing a threshold or a mixing weight.
const minTuneClass = 30

// sourceGroup is one source's tune rows for a label: labels and predictions.
type sourceGroup struct {
	ys []int8
	ps []float64
}

// sourceGroups splits the rows that know label l (and that keep accepts) by
// source, with pred's prediction for each, and returns the sources with at
// least minTuneClass rows of each class, in order of their names.
func sourceGroups(rows []Row, l int, keep func(i int) bool, pred func(i int) float64) []sourceGroup {
	groups := map[string]*sourceGroup{}
	var names []string
	for i, r := range rows {
		if r.Labels[l] < 0 || !keep(i) {
			continue
		}
		g := groups[r.Source]
		if g == nil {
			g = &sourceGroup{}
			groups[r.Source] = g
			names = append(names, r.Source)
		}
		g.ys = append(g.ys, r.Labels[l])
		g.ps = append(g.ps, pred(i))
	}
	sort.Strings(names)
	var use []sourceGroup
	for _, n := range names {
		g := groups[n]
		pos := 0
		for _, y := range g.ys {
			pos += int(y)
		}
		if pos >= minTuneClass && len(g.ys)-pos >= minTuneClass {
			use = append(use, *g)
		}
	}
	return use
}

// minReasonThreshold is the least threshold of the labels that pre-fill a
// rejection reason (all but toxic): a wrong pre-filled reason costs more
// moderator trust than a missed one.
const minReasonThreshold = 0.5

// spamLabel is the index of spam among the heads.
const spamLabel = 4

// spamGroup is the tune group of the spam threshold of a language with
// spam data (English): its rows with a spam label and, as negatives, every
// row in lang of the corpora that never label spam, as in training. The
// spam corpus is half spam and a news site's comments are not: tuned on its
// rows alone, the threshold (0.50) let "Follow the money: who paid for the
// new checkpoints?" (0.70) and "Please read the full report before you
// comment…" (0.53) get the spam reason. With the tweets and forum posts as
// negatives, F1 also counts wrong spam reasons on everyday comments. The
// default threshold, for the languages without spam data, whose spam
// signal is the word lists, stays tuned on the spam corpus alone.
func spamGroup(rows []Row, lang string, preds [][nLabels]float64) sourceGroup {
	var g sourceGroup
	for i, r := range rows {
		if lang != "" && r.Lang != lang {
			continue
		}
		g.ys = append(g.ys, max(r.Labels[spamLabel], 0))
		g.ps = append(g.ps, preds[i][spamLabel])
	}
	return g
}

// tuneThresholds sets each label's threshold to the one with the best F1
// of the positive class on rows (for toxic, the best macro-F1), in steps of 0.01 between 0.05 (0.5 for
// the labels that pre-fill a reason) and 0.95,
// and does the same per language (by the rows' lang column). The score is
// the mean over the sources that have at least minTuneClass rows of each
// class.
func (m *Model) tuneThresholds(ctx context.Context, rows []Row) error {
	preds, err := m.predict(ctx, rows)
	if err != nil {
		return err
	}
	best := func(l int, lang string) (float32, bool) {
		// Rows by source: the threshold is the one with the best mean score
		// over the sources, so that a large corpus with its own label prior
		// (Davidson's tweets are 83% offensive) does not set the threshold
		// for every comment in its language.
		use := sourceGroups(rows, l, func(i int) bool { return lang == "" || rows[i].Lang == lang },
			func(i int) float64 { return preds[i][l] })
		if l == spamLabel && lang != "" && len(use) > 0 {
			use = []sourceGroup{spamGroup(rows, lang, preds)}
		}
		if len(use) == 0 {
			return 0, false
		}
		bt, bestF := 0.5, -1.0
		lo := 5
		if l != 0 {
			lo = int(minReasonThreshold * 100)
		}
		for k := lo; k <= 95; k++ {
			t := float64(k) / 100
			f := 0.0
			for _, g := range use {
				c := confusionAt(g.ys, g.ps, t)
				if l == 0 {
					// toxic pre-fills no reason; it sorts the queue, and both
					// classes matter: the OffensEval measure, macro-F1.
					f += c.macroF1()
				} else {
					f += c.f1()
				}
			}
			if f > bestF {
				bt, bestF = t, f
			}
		}
		return float32(bt), true
	}
	langs := map[string]bool{}
	for _, r := range rows {
		langs[r.Lang] = true
	}
	m.langThresholds = map[string][nLabels]float32{}
	for l := 0; l < nLabels; l++ {
		if t, ok := best(l, ""); ok {
			m.thresholds[l] = t
		}
		for lang := range langs {
			if lang == "" {
				continue
			}
			if t, ok := best(l, lang); ok {
				lt := m.langThresholds[lang]
				lt[l] = t
				m.langThresholds[lang] = lt
			}
		}
	}
	return nil
}

// predict scores rows.
func (m *Model) predict(ctx context.Context, rows []Row) ([][nLabels]float64, error) {
	out := make([][nLabels]float64, len(rows))
	sc := &scratch{}
	for i, r := range rows {
		if i%2000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		a := m.extract(r.Text, sc)
		out[i] = m.scores(a, sc)
	}
	return out, nil
}

// confusion counts a binary classifier's outcomes.
type confusion struct{ tp, fp, tn, fn int }

func confusionAt(ys []int8, ps []float64, t float64) confusion {
	var c confusion
	for i, y := range ys {
		pos := ps[i] >= t
		switch {
		case pos && y == 1:
			c.tp++
		case pos:
			c.fp++
		case y == 1:
			c.fn++
		default:
			c.tn++
		}
	}
	return c
}

// add counts one outcome.
func (c confusion) add(y int8, pos bool) confusion {
	switch {
	case pos && y == 1:
		c.tp++
	case pos:
		c.fp++
	case y == 1:
		c.fn++
	default:
		c.tn++
	}
	return c
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (c confusion) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c confusion) recall() float64    { return ratio(c.tp, c.tp+c.fn) }
func (c confusion) f1() float64        { return ratio(2*c.tp, 2*c.tp+c.fp+c.fn) }

// macroF1 is the mean of the F1 of the positive and the negative class, the
// OffensEval measure.
func (c confusion) macroF1() float64 {
	neg := ratio(2*c.tn, 2*c.tn+c.fn+c.fp)
	return (c.f1() + neg) / 2
}

// rocAUC is the probability that a random positive scores above a random
// negative (ties count half).
func rocAUC(ys []int8, ps []float64) float64 {
	idx := make([]int, len(ys))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && ps[idx[j]] == ps[idx[i]] {
			j++
		}
		avgRank := float64(i+j+1) / 2 // 1-based ranks i+1..j
		for k := i; k < j; k++ {
			if ys[idx[k]] == 1 {
				rankSum += avgRank
				pos++
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// prAUC is the average precision: the mean of the precision at each
// positive, ranked by score.
func prAUC(ys []int8, ps []float64) float64 {
	idx := make([]int, len(ys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] > ps[idx[b]] })
	var tp, sum float64
	pos := 0
	for _, y := range ys {
		if y == 1 {
			pos++
		}
	}
	if pos == 0 {
		return math.NaN()
	}
	for k, i := range idx {
		if ys[i] == 1 {
			tp++
			sum += tp / float64(k+1)
		}
	}
	return sum / float64(pos)
}

// hasCat reports whether a word-list hit of category cat is among hits.
func hasCat(hits []lexHit, cat string) bool {
	for _, h := range hits {
		if h.cat == cat {
			return true
		}
	}
	return false
}

// nbAlpha is the smoothing of the naive Bayes ratios (see
// naiveBayesRatios); 0 would turn the scaling off.
const nbAlpha = 1

// nbLabels are the labels whose n-gram features are scaled by naive Bayes
// ratios in training: all but hate_speech, whose tune ROC-AUC dropped with
// them (Stormfront 0.840 to 0.827).
var nbLabels = [nLabels]bool{true, true, false, true, true}

// plainShare is the share of the unscaled model in the linear weights: the
// linear heads are the average of a model trained with naive Bayes scaling
// (0.7) and one without (0.3), which on the tune split beat either alone.
const plainShare = 0.3

// example is one training row's features and targets.
type example struct {
	idx  []uint32
	val  []float32
	y, w [nLabels]float32
	src  int // index of the row's source, -1 for none
}

// naiveBayesRatios returns, per bucket and label, the naive Bayes
// log-count ratio log((pos+a)/(P+a) / ((neg+a)/(N+a))) of the n-gram
// features (value below 1), and 1 for whole-text features and for alpha 0.
// The ratio is computed within each source and averaged over the sources
// by the feature's count in each, so that a corpus's label prior (83%
// offensive in Davidson's tweets, 20% in OffensEval-TR) does not make
// every word of that corpus look offensive or clean.
func naiveBayesRatios(exs []example, n int, alpha float32) []float32 {
	r := make([]float32, n)
	for i := range r {
		r[i] = 1
	}
	if alpha == 0 {
		return r
	}
	whole := make([]bool, n/nLabels) // buckets of whole-text features
	bySrc := map[int][]int{}
	var srcs []int
	for k, e := range exs {
		if _, ok := bySrc[e.src]; !ok {
			srcs = append(srcs, e.src)
		}
		bySrc[e.src] = append(bySrc[e.src], k)
		for j, idx := range e.idx {
			if e.val[j] >= 1 {
				whole[idx] = true
			}
		}
	}
	sum, cnt := make([]float32, n), make([]float32, n)
	pos, neg := make([]float32, n), make([]float32, n)
	for _, src := range srcs {
		clear(pos)
		clear(neg)
		var P, N [nLabels]float32
		for _, k := range bySrc[src] {
			e := &exs[k]
			for l := range nLabels {
				if e.w[l] == 0 {
					continue
				}
				if e.y[l] >= 0.5 {
					P[l] += e.w[l]
				} else {
					N[l] += e.w[l]
				}
			}
			for j, idx := range e.idx {
				if e.val[j] >= 1 {
					continue
				}
				for l := range nLabels {
					if e.w[l] == 0 {
						continue
					}
					if e.y[l] >= 0.5 {
						pos[int(idx)*nLabels+l] += e.w[l]
					} else {
						neg[int(idx)*nLabels+l] += e.w[l]
					}
				}
			}
		}
		for i := range pos {
			c := pos[i] + neg[i]
			if c == 0 {
				continue
			}
			l := i % nLabels
			if P[l] < 10 || N[l] < 10 || !nbLabels[l] {
				continue // a source without both classes says nothing
			}
			lr := math.Log(float64((pos[i] + alpha) / (P[l] + alpha) / ((neg[i] + alpha) / (N[l] + alpha))))
			sum[i] += c * float32(lr)
			cnt[i] += c
		}
	}
	for i := range r {
		if whole[i/nLabels] || cnt[i] == 0 {
			continue
		}
		r[i] = sum[i] / cnt[i]
	}
	return r
}

// fitLinear trains the linear heads' weights on exs with AdaGrad, each
// n-gram feature scaled by its naive Bayes ratio in nbR during training;
// the returned weights have the ratios folded in.
func fitLinear(ctx context.Context, exs []example, rows []Row, nSrc int, nbR []float32, opts TrainOptions, logf func(string, ...any)) ([]float32, error) {
	w := make([]float32, len(nbR))
	g2 := make([]float32, len(w))
	for i := range g2 {
		g2[i] = adagradInit
	}
	rng := rand.New(rand.NewSource(opts.Seed))
	order := make([]int, 0, len(exs))
	for i := range exs {
		order = append(order, i)
		if rows[i].Labels[spamLabel] >= 0 {
			for range spamRepeat - 1 {
				order = append(order, i)
			}
		}
	}
	srcW := make([][nLabels]float32, nSrc)
	srcG2 := make([][nLabels]float32, nSrc)
	lr := float32(opts.LearningRate)
	l2 := float32(opts.L2)
	for epoch := 0; epoch < opts.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss float64
		var lossN float64
		for k, oi := range order {
			if k%5000 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			e := &exs[oi]
			var z [nLabels]float32
			for j, idx := range e.idx {
				row := w[idx*nLabels : idx*nLabels+nLabels]
				r := nbR[idx*nLabels : idx*nLabels+nLabels]
				for l := 0; l < nLabels; l++ {
					z[l] += row[l] * r[l] * e.val[j]
				}
			}
			if e.src >= 0 {
				for l := range nLabels {
					if srcBias[l] {
						z[l] += srcW[e.src][l]
					}
				}
			}
			var g [nLabels]float32
			active := false
			for l := 0; l < nLabels; l++ {
				if e.w[l] == 0 {
					continue
				}
				p := float32(sigmoid(float64(z[l])))
				g[l] = (p - e.y[l]) * e.w[l]
				active = true
				py := float64(p)
				if e.y[l] == 0 {
					py = 1 - py
				}
				loss -= float64(e.w[l]) * math.Log(math.Max(py, 1e-9))
				lossN += float64(e.w[l])
			}
			if !active {
				continue
			}
			if e.src >= 0 {
				for l := range nLabels {
					if !srcBias[l] {
						continue
					}
					srcG2[e.src][l] += g[l] * g[l]
					srcW[e.src][l] -= lr * g[l] / float32(math.Sqrt(float64(srcG2[e.src][l]))+1e-6)
				}
			}
			for j, idx := range e.idx {
				base := idx * nLabels
				for l := 0; l < nLabels; l++ {
					if g[l] == 0 {
						continue
					}
					wi := base + uint32(l)
					grad := g[l]*e.val[j]*nbR[wi] + l2*w[wi]
					g2[wi] += grad * grad
					w[wi] -= lr * grad / float32(math.Sqrt(float64(g2[wi]))+1e-6)
				}
			}
		}
		logf("epoch %d: mean log loss %.4f", epoch+1, loss/math.Max(lossN, 1))
	}
	for i, r := range nbR {
		w[i] *= r
	}
	return w, nil
}
