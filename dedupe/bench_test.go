package dedupe

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// wordSalad generates varied comment-like text deterministically: words
// drawn with a Zipf distribution from a synthetic vocabulary, so that
// frequent words repeat across comments as they do in real text.
type wordSalad struct {
	vocab []string
	rng   *rand.Rand
	zipf  *rand.Zipf
}

func newWordSalad(seed uint64) *wordSalad {
	syll := []string{"ka", "lo", "mi", "re", "tan", "vo", "shi", "gar", "nel", "po", "de", "ru", "zan", "ti", "bo", "el", "an", "or", "is", "um"}
	vr := rand.New(rand.NewPCG(42, 42)) // the same vocabulary for every generator
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < 30000 {
		n := 1 + vr.IntN(4)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(syll[vr.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	return &wordSalad{vocab: vocab, rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))}
}

// text returns a comment of 8 to 60 words in one to four sentences.
func (g *wordSalad) text() string {
	n := 8 + g.rng.IntN(53)
	var b strings.Builder
	for i := 0; i < n; i++ {
		w := g.vocab[g.zipf.Uint64()]
		if i == 0 || g.rng.IntN(12) == 0 {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		} else {
			b.WriteString(w)
		}
		switch {
		case i == n-1:
			b.WriteString(".")
		case g.rng.IntN(10) == 0:
			b.WriteString(". ")
		case g.rng.IntN(15) == 0:
			b.WriteString(", ")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

var bench struct {
	once      sync.Once
	ix        *Index
	docs      int
	heapBytes uint64
	loadTime  time.Duration
	samples   []Doc // stored comments (with their text) to edit into queries
	end       time.Time
}

// benchDocs is the number of stored comments, 1,000,000 unless
// PARLEY_BENCH_DOCS says otherwise.
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("PARLEY_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// loadBench builds the shared index once. Comments come from 10 sites and
// 200,000 authors, spread evenly over one window, signed on every core.
func loadBench(b *testing.B) {
	bench.once.Do(func() {
		n := benchDocs()
		before := heapInUse()
		start := time.Now()
		ix := NewIndex(Options{})
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		step := ix.Options().Window / time.Duration(n+1)
		workers := runtime.GOMAXPROCS(0)
		type item struct {
			d   Doc
			sig Signature
		}
		ch := make(chan item, 1024)
		samples := make([][]Doc, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := newWordSalad(uint64(w + 1))
				for i := w; i < n; i += workers {
					txt := g.text()
					d := Doc{
						SiteID:    "site" + strconv.Itoa(i%10),
						CommentID: fmt.Sprintf("%026d", i),
						AuthorKey: "e:author" + strconv.Itoa(i%200000),
						At:        base.Add(time.Duration(i) * step),
					}
					if i%(n/1000+1) == 0 {
						s := d
						s.Text = txt
						samples[w] = append(samples[w], s)
					}
					ch <- item{d: d, sig: Sign(txt)}
				}
			}()
		}
		go func() { wg.Wait(); close(ch) }()
		for it := range ch {
			ix.add(it.d, &it.sig)
		}
		for _, s := range samples {
			bench.samples = append(bench.samples, s...)
		}
		bench.ix = ix
		bench.docs = ix.Stats().Docs
		bench.loadTime = time.Since(start)
		bench.heapBytes = heapInUse() - before
		bench.end = base.Add(ix.Options().Window)
	})
}

// BenchmarkCheck measures Index.Check against 1,000,000 stored comments
// (PARLEY_BENCH_DOCS to change). Half the queries are edited copies of
// stored comments, half are new text. It reports the latency percentiles
// and the heap held per stored comment:
//
//	go test -run NONE -bench BenchmarkCheck -benchtime 20000x ./dedupe
func BenchmarkCheck(b *testing.B) {
	loadBench(b)
	ix := bench.ix
	g := newWordSalad(999)
	rng := rand.New(rand.NewPCG(7, 7))
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	matched := 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := Doc{SiteID: "site" + strconv.Itoa(i%10), CommentID: "q" + strconv.Itoa(i), AuthorKey: "e:query", Text: g.text(), At: bench.end}
		if i%2 == 0 {
			s := bench.samples[rng.IntN(len(bench.samples))]
			d.SiteID = s.SiteID
			d.Text = mutate(rng, mutate(rng, s.Text, mutTypo), mutAddWord)
		}
		c := threadCPU()
		t := time.Now()
		m := ix.Check(d)
		lat = append(lat, time.Since(t))
		cpu = append(cpu, threadCPU()-c)
		if len(m.Matches) > 0 {
			matched++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(cpu)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	cpct := func(p float64) float64 { return float64(cpu[int(p*float64(len(cpu)-1))].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(pct(0.999), "p999-ns")
	b.ReportMetric(cpct(0.50), "cpu-p50-ns")
	b.ReportMetric(cpct(0.99), "cpu-p99-ns")
	b.ReportMetric(float64(bench.heapBytes)/float64(bench.docs), "heap-bytes/doc")
	b.ReportMetric(float64(ix.Stats().Bytes)/float64(bench.docs), "est-bytes/doc")
	b.ReportMetric(float64(matched)/float64(b.N), "matched-frac")
	var load [3]float64
	if s, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(s), &load[0], &load[1], &load[2])
	}
	b.Logf("docs %d, load %s, heap in use after load %d MiB; wall p50 %s, p99 %s, p99.9 %s, max %s; thread CPU p50 %s, p99 %s, p99.9 %s; matched %d/%d; machine load average %.1f",
		bench.docs, bench.loadTime.Round(time.Millisecond), bench.heapBytes>>20,
		time.Duration(pct(0.5)), time.Duration(pct(0.99)), time.Duration(pct(0.999)), lat[len(lat)-1],
		time.Duration(cpct(0.5)), time.Duration(cpct(0.99)), time.Duration(cpct(0.999)), matched, b.N, load[0])
}

// BenchmarkSign measures the signature of one typical comment.
func BenchmarkSign(b *testing.B) {
	g := newWordSalad(1)
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = g.text()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sign(texts[i%len(texts)])
	}
}
