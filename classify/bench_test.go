package classify

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// benchText is a typical 300-character news comment.
const benchText = "I have read the whole article twice and I still do not understand why the council keeps " +
	"ignoring the residents of the old town. The parking plan was rejected last year, and now they bring it " +
	"back with a new name. Honestly, whoever wrote this proposal should be ashamed. We deserve better answers!"

// cpuTime is the process's user+system CPU time. The benchmarks report it
// per operation as cpu-ns/op, which a busy shared machine distorts less
// than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkClassify(b *testing.B) {
	m := mustDefault(b)
	ctx := context.Background()
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if _, err := m.Classify(ctx, benchText); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

func BenchmarkLoadDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Load(bytes.NewReader(defaultModel)); err != nil {
			b.Fatal(err)
		}
	}
}

// mixedTexts are comments of about 300 characters (296–302) in each language form the site
// gets; BenchmarkClassifyMixed classifies them in turn.
var mixedTexts = []string{
	benchText,
	"Я дважды перечитал статью и всё равно не понимаю, почему совет продолжает игнорировать жителей старого города. " +
		"План парковки отклонили в прошлом году, а теперь его вносят снова под новым названием. Честно говоря, автору " +
		"этого предложения должно быть стыдно. Мы заслуживаем ответов! Спасибо редакции.",
	"Makaleyi iki kez okudum ve belediye meclisinin eski şehir sakinlerini neden görmezden gelmeye devam ettiğini hâlâ " +
		"anlamıyorum. Otopark planı geçen yıl reddedildi, şimdi yeni bir adla tekrar getiriliyor. Açıkçası bu teklifi " +
		"yazan kişi utanmalı. Daha iyi cevapları hak ediyoruz! Teşekkürler editöre.",
	"Məqaləni iki dəfə oxudum və hələ də başa düşmürəm ki, şura niyə köhnə şəhərin sakinlərinə məhəl qoymur. Dayanacaq " +
		"planı keçən il rədd edildi, indi isə yeni adla yenidən gətirilir. Açığı, bu təklifi yazan adam utanmalıdır. Biz " +
		"daha yaxşı cavablara layiqik! Redaksiyaya təşəkkür edirəm, cavab gözləyirik.",
	"Երկու անգամ կարդացի հոդվածը և դեռ չեմ հասկանում, թե ինչու է խորհուրդը շարունակում անտեսել հին քաղաքի " +
		"բնակիչներին։ Կայանատեղիի ծրագիրը մերժվեց անցյալ տարի, իսկ հիմա այն նորից են բերում նոր անունով։ Անկեղծ " +
		"ասած, այս առաջարկը գրողը պետք է ամաչի։ Մենք արժանի ենք ավելի լավ պատասխանների։ Շնորհակալ ենք։",
	"Erku angam kardaci hodvac@ u der chem haskanum, te inchu e xorhurd@ sharunakum antesel hin qaghaqi bnakichnerin. " +
		"Kayanateghi cragir@ merjvec ancyal tari, isk hima ayn noric en berum nor anunov. Ankeghc asac, ays arajarkn " +
		"grogh@ petq e amachi. Menq arjani enq aveli lav pataskhanneri, axper jan! Merci!",
}

// BenchmarkClassifyMixed reports the cost of a comment averaged over the
// languages: only English runs the semantic part.
func BenchmarkClassifyMixed(b *testing.B) {
	m := mustDefault(b)
	ctx := context.Background()
	total := 0
	for _, t := range mixedTexts {
		total += utf8.RuneCountInString(t)
	}
	b.ReportAllocs()
	start := cpuTime()
	n := 0
	for b.Loop() {
		if _, err := m.Classify(ctx, mixedTexts[n%len(mixedTexts)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
	b.ReportMetric(float64(total)/float64(len(mixedTexts)), "chars/comment")
}

// BenchmarkClassifyByLanguage times each of mixedTexts on its own.
func BenchmarkClassifyByLanguage(b *testing.B) {
	m := mustDefault(b)
	ctx := context.Background()
	for i, lang := range []string{"en", "ru", "tr", "az", "hy", "hy-Latn"} {
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Classify(ctx, mixedTexts[i]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
