// Command importbench measures parley's Disqus import end to end on SQLite:
// it writes a Disqus export with -n comments (threads of 50, a third of
// them replies, Russian, Armenian, Azerbaijani and English text), imports
// it into a fresh SQLite database with the real classifier and duplicate
// index, and prints comments per second, the CPU time the import used
// (user+sys, all threads) per comment, the load average before and after,
// and the peak resident memory.
//
//	go build -o /tmp/importbench ./bench/importbench
//	/usr/bin/time -v /tmp/importbench -n 1000000
//
// -file reuses (or keeps) the generated export, so that a 1M-comment file
// is written once.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/transfer"
)

// words are the vocabularies comments are drawn from: real comments are
// diverse, and a benchmark of six repeated texts would measure the
// campaign detector instead of the import.
var words = [][]string{
	strings.Fields("council budget vote road school teacher water price bridge hospital mayor tax rent bus tram park river " +
		"election report article reader opinion data number year month week police court law housing energy heating " +
		"because although however indeed really never always often quite rather think agree disagree believe doubt"),
	strings.Fields("совет бюджет дорога школа учитель вода цена мост больница мэр налог аренда автобус трамвай парк река " +
		"выборы отчёт статья читатель мнение данные год месяц неделя полиция суд закон жильё энергия отопление " +
		"потому хотя однако действительно никогда всегда часто довольно думаю согласен сомневаюсь"),
	strings.Fields("խորհուրդ բյուջե ճանապարհ դպրոց ուսուցիչ ջուր գին կամուրջ հիվանդանոց քաղաքապետ հարկ վարձ ավտոբուս " +
		"այգի գետ ընտրություն հոդված ընթերցող կարծիք տարի ամիս շաբաթ ոստիկանություն դատարան օրենք բնակարան էներգիա"),
	strings.Fields("şura büdcə yol məktəb müəllim su qiymət körpü xəstəxana mer vergi kirayə avtobus park çay seçki " +
		"məqalə oxucu fikir il ay həftə polis məhkəmə qanun mənzil enerji istilik çünki amma həmişə tez-tez razıyam"),
}

// text returns a comment of 8 to 30 words in one of the languages.
func text(rng *rand.Rand) string {
	ws := words[rng.IntN(len(words))]
	n := 8 + rng.IntN(23)
	out := make([]string, n)
	for i := range out {
		out[i] = ws[rng.IntN(len(ws))]
	}
	return strings.Join(out, " ")
}

func main() {
	n := flag.Int("n", 100000, "comments to generate")
	dir := flag.String("dir", "", "working directory (default: a temporary one, removed after)")
	batch := flag.Int("batch", service.DefaultImportBatch, "comments per transaction")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile")
	memprofile := flag.String("memprofile", "", "write an allocation profile (go tool pprof -sample_index=alloc_space) at the end")
	memLimit := flag.Int64("memory-limit", 320<<20, "soft memory limit in bytes, as parley import sets it (0: none; GOMEMLIMIT, if set, wins)")
	fileFlag := flag.String("file", "", "the Disqus export to import: generated with -n comments if it does not exist, and kept")
	flag.Parse()
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(*memLimit)
	}
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	work := *dir
	if work == "" {
		var err error
		if work, err = os.MkdirTemp("", "importbench"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(work)
	}
	file := filepath.Join(work, "disqus.xml")
	if *fileFlag != "" {
		file = *fileFlag
	}
	var size int64
	if st, err := os.Stat(file); err == nil && *fileFlag != "" {
		size = st.Size()
		fmt.Printf("reusing %s (generated earlier; -n is ignored)\n", file)
	} else if size, err = generate(file, *n); err != nil {
		log.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, filepath.Join(work, "parley.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	model, err := classify.Default()
	if err != nil {
		log.Fatal(err)
	}
	svc := service.New(service.Options{Store: db, Classifier: model, Adapter: adapter.Adapter{},
		Index: dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow})})
	if _, err := svc.CreateSite(ctx, "bench", "Bench", []string{"https://bench.example"}); err != nil {
		log.Fatal(err)
	}
	load0 := loadavg()
	cpu0 := cpuTime()
	start := time.Now()
	rep, err := svc.Import(ctx, service.ImportOptions{SiteID: "bench", Format: "disqus", BatchSize: *batch},
		func() (transfer.Decoder, func() error, error) {
			return transfer.Open("disqus", file, transfer.Options{})
		})
	if err != nil {
		log.Fatal(err)
	}
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	got := rep.ImportedTotal()
	fmt.Printf("file: %.1f MB\n", float64(size)/1e6)
	fmt.Printf("imported %d comments into %d stories in %s: %.0f comments/s (wall)\n", got, rep.StoriesCreated, el.Round(time.Millisecond), float64(got)/el.Seconds())
	fmt.Printf("CPU (user+sys, all threads): %s, %.1f µs per comment; %.0f comments per CPU-second, %d cores: %.0f comments/s if they were all ours\n",
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(got), float64(got)/cpu.Seconds(), runtime.NumCPU(),
		float64(got)/cpu.Seconds()*float64(runtime.NumCPU()))
	fmt.Printf("load average before: %s; after: %s\n", load0, loadavg())
	fmt.Printf("peak RSS: %s\n", peakRSS())
	if *memprofile != "" {
		pf, err := os.Create(*memprofile)
		if err != nil {
			log.Fatal(err)
		}
		defer pf.Close()
		if err := pprof.Lookup("allocs").WriteTo(pf, 0); err != nil {
			log.Fatal(err)
		}
	}
}

// generate writes a Disqus export of n comments in threads of 50.
func generate(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">` + "\n")
	threads := (n + 49) / 50
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for t := range threads {
		fmt.Fprintf(w, "<thread dsq:id=\"t%d\"><link>https://bench.example/story/%d</link><title>Story %d</title><createdAt>%s</createdAt></thread>\n",
			t, t, t, base.Add(time.Duration(t)*time.Hour).Format(time.RFC3339))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		t := i / 50
		at := base.Add(time.Duration(t)*time.Hour + time.Duration(i%50)*time.Minute)
		parent := ""
		if i%3 == 2 {
			parent = fmt.Sprintf("<parent dsq:id=\"%d\"/>", i-1)
		}
		fmt.Fprintf(w, "<post dsq:id=\"%d\"><message><![CDATA[<p>%s Comment %d.</p>]]></message><createdAt>%s</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>reader%d@example.org</email><name>Reader %d</name><isAnonymous>false</isAnonymous><username>reader%d</username></author><thread dsq:id=\"t%d\"/>%s</post>\n",
			i, text(rng), i, at.Format(time.RFC3339), i%5000, i%5000, i%5000, t, parent)
	}
	w.WriteString("</disqus>\n")
	if err := w.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// cpuTime is the process's user+sys CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// peakRSS reads VmHWM (the peak resident set) from /proc/self/status.
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}
