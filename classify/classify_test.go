package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

func mustDefault(t testing.TB) *Model {
	t.Helper()
	m, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return m
}

func classify(t testing.TB, m *Model, text string) parley.Verdict {
	t.Helper()
	v, err := m.Classify(context.Background(), text)
	if err != nil {
		t.Fatalf("Classify(%q): %v", text, err)
	}
	return v
}

// Held-out sentences, none of them in langdata/ or the datasets.
var heldOut = map[string][]string{
	langEn: {
		"The mayor promised new bike lanes but nothing has happened since spring.",
		"I think the article misses the point about rising rents in the city.",
		"Thanks for the detailed reporting, this was really helpful.",
		"Why does the government keep delaying the hospital project?",
		"My neighbours and I have complained about the noise for years.",
		"Great match last night, the defence finally looked solid.",
	},
	langRu: {
		"Спасибо за статью, очень интересно было читать.",
		"Почему администрация до сих пор не отремонтировала дорогу?",
		"Я не согласен с автором, но аргументы понятны.",
		"Вчера весь вечер шёл дождь, а завтра обещают снег.",
	},
	langHy: {
		"Շնորհակալություն հոդվածի համար, շատ հետաքրքիր էր։",
		"Ինչու՞ են գները նորից բարձրացել։",
		"Ես համաձայն չեմ հեղինակի հետ, բայց լավ է գրված։",
		"Բարև ձեզ, ինչպե՞ս եք։",
	},
	langHyLatn: {
		"barev, inchpes es? shat lav",
		"axper jan inch ka chka, vaxy kxosenq",
		"es chem haskanum inchu en gnery bardzracel",
		"shat lav hodvac er, shnorhakalutyun",
		"ara du inch es asum, chem havatum",
		"aper inchu ches zangum",
	},
	langAz: {
		"Məqalə üçün təşəkkür edirəm, çox faydalı idi.",
		"Niyə yollar hələ də təmir olunmayıb?",
		"Mən bu fikirlə razı deyiləm, amma hörmət edirəm.",
		"Bakıda bu gün hava çox isti olacaq.",
		"Qardaş, sən düz deyirsən, mən də belə düşünürəm.",
	},
	langTr: {
		"Bu haber için teşekkürler, çok faydalı oldu.",
		"Neden hâlâ yollar tamir edilmedi?",
		"Yazara katılmıyorum ama görüşlerine saygı duyuyorum.",
		"Dün akşam maç çok heyecanlıydı, tebrikler.",
		"Belediye bu sorunu ne zaman çözecek?",
	},
}

func TestLanguageID(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	right, total := 0, 0
	for lang, texts := range heldOut {
		ok := 0
		for _, s := range texts {
			got := classify(t, m, s).Language
			if got == lang {
				ok++
			} else {
				t.Logf("%s: %q detected as %s", lang, s, got)
			}
		}
		right += ok
		total += len(texts)
		if float64(ok) < 0.75*float64(len(texts)) {
			t.Errorf("%s: %d of %d held-out sentences identified", lang, ok, len(texts))
		}
	}
	t.Logf("language identification accuracy on held-out sentences: %d/%d = %.3f", right, total, float64(right)/float64(total))
}

// golden is one clear case: want is the suggested reason ("" for benign);
// words are substrings of the original text that evidence must cover.
type golden struct {
	lang  string
	text  string
	want  parley.Reason
	words []string
}

var goldens = []golden{
	// English
	{"en", "You are a complete idiot and a moron, nobody wants you here.", parley.ReasonPersonalAttack, []string{"idiot", "moron"}},
	{"en", "This fucking weather is shit", parley.ReasonObscenity, []string{"fucking", "shit"}},
	{"en", "You i.d.i.o.t, go away", parley.ReasonPersonalAttack, []string{"i.d.i.o.t"}},
	{"en", "Check out my channel and subscribe for free gift cards!! http://bit.ly/free-gift http://spam.example.com", parley.ReasonSpam, nil},
	// Spam in the languages without spam data comes from the word lists.
	{"ru", "Подписывайтесь на мой канал, там много интересного", parley.ReasonSpam, []string{"Подписывайтесь"}},
	{"tr", "Kanalıma abone olun, her gün yeni video", parley.ReasonSpam, []string{"abone olun"}},
	{"az", "Kanalıma abunə olun, hər gün yeni video", parley.ReasonSpam, []string{"abunə olun"}},
	{"hy", "Բաժանորդագրվեք իմ ալիքին", parley.ReasonSpam, []string{"Բաժանորդագրվեք"}},
	{"ru", "Как учителю заработать на жизнь при такой зарплате?", "", nil},
	{"en", "Thank you for the thoughtful article, I learned a lot about the new tram line.", "", nil},
	{"en", "The Scunthorpe assessment was published by the council on Tuesday.", "", nil},
	// Russian
	{"ru", "Ты тупой дебил и урод, заткнись уже", parley.ReasonPersonalAttack, []string{"дебил", "урод"}},
	{"ru", "Да пошёл ты нахуй, сука", parley.ReasonPersonalAttack, []string{"нахуй", "сука"}},
	{"ru", "Классный репортаж, спасибо, очень познавательно.", "", nil},
	{"ru", "Не забудьте застраховать машину: страхуй заранее, говорю вам.", "", nil},
	// Turkish
	{"tr", "Siktir git orospu çocuğu", parley.ReasonObscenity, []string{"Siktir", "orospu"}},
	{"tr", "Sen tam bir gerizekalısın, aptal herif", parley.ReasonPersonalAttack, []string{"gerizekalısın", "aptal"}},
	{"tr", "Elbise çok Şıktı, sık sık giyerim.", "", nil},
	{"tr", "Ağır siklet maçı çok güzeldi, tebrikler.", "", nil},
	// Azerbaijani
	{"az", "Sən axmaq əclafsan, gic adam", parley.ReasonPersonalAttack, []string{"axmaq", "gic"}},
	{"az", "Qəhbə, sikdir burdan", parley.ReasonObscenity, []string{"Qəhbə", "sikdir"}},
	{"az", "Məqalə üçün təşəkkür edirəm, çox maraqlı idi.", "", nil},
	// Armenian, script and translit
	{"hy", "Դու ապուշ ես, անասուն", parley.ReasonPersonalAttack, []string{"ապուշ", "անասուն"}},
	{"hy", "Քու մերը քունեմ", parley.ReasonObscenity, []string{"Քու մերը", "քունեմ"}},
	{"hy", "Շնորհակալություն, շատ լավ հոդված է։", "", nil},
	{"hy-Latn", "du apush es, anasun", parley.ReasonPersonalAttack, []string{"apush", "anasun"}},
	{"hy-Latn", "qu mer@ kunem, axper", parley.ReasonObscenity, []string{"kunem"}},
	{"hy-Latn", "barev axper, inchpes es? shat lav hodvac er", "", nil},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	for _, g := range goldens {
		t.Run(g.lang+"/"+g.text, func(t *testing.T) {
			v := classify(t, m, g.text)
			if v.Language != g.lang {
				t.Errorf("language = %s, want %s", v.Language, g.lang)
			}
			if v.SuggestedReason != g.want {
				t.Errorf("reason = %q, want %q (scores %v)", v.SuggestedReason, g.want, v.Scores)
			}
			for l, s := range v.Scores {
				if s < 0 || s > 1 || math.IsNaN(s) {
					t.Errorf("score %s = %v out of [0,1]", l, s)
				}
			}
			if g.want == "" {
				for _, e := range v.Evidence {
					if e.Label != parley.LabelToxic && e.Label != parley.LabelSpam {
						t.Errorf("benign text has %s evidence on %q", e.Label, g.text[e.Start:e.End])
					}
				}
				return
			}
			for _, w := range g.words {
				i := strings.Index(g.text, w)
				if i < 0 {
					t.Fatalf("test bug: %q not in text", w)
				}
				covered := false
				for _, e := range v.Evidence {
					if e.Start <= i && i+len(w) <= e.End && e.End-e.Start <= len(w)+8 {
						covered = true
					}
				}
				if !covered {
					t.Errorf("no evidence covers %q; evidence: %s", w, evidenceString(g.text, v.Evidence))
				}
			}
		})
	}
}

func evidenceString(text string, ev []parley.Evidence) string {
	var parts []string
	for _, e := range ev {
		parts = append(parts, fmt.Sprintf("%s:%q", e.Label, text[e.Start:e.End]))
	}
	return strings.Join(parts, " ")
}

// Innocent words that contain a listed word (the Scunthorpe problem), in
// every language: no word list matches them, and (for all but the known
// n-gram failure below) the model suggests no reason.
func TestScunthorpe(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	texts := []string{
		"Scunthorpe United won at home", "The assessment of the class was passed by Essex",
		"Классный текст, очень понравилось", "Страхуй машину заранее", "Купи хлеба и молока", "Психуй поменьше",
		"Bu elbise çok Şıktı", "Sık sık buraya geliyorum", "Ağır siklet şampiyonu", "Amaç bu değil", "Sıkı çalışmak lazım",
		"Anamı çox sevirəm", "Qızıl medal qazandı", "Amin, Allah rəhmət eləsin",
		"Տուտը շատ երկար է", "kaku, barev axper",
	}
	for _, s := range texts {
		if m.hasLexHit(s) {
			t.Errorf("%q: a word list matched", s)
		}
		if v := classify(t, m, s); v.SuggestedReason != "" {
			t.Errorf("%q: suggested %q (scores %v)", s, v.SuggestedReason, v.Scores)
		}
	}
	// Character n-grams learned from tweets still push this one over the
	// personal_attack threshold (see docs/model-card.md); the word lists must not.
	if m.hasLexHit("a cocktail in the cockpit") {
		t.Error("a word list matched cocktail/cockpit")
	}
}

// hasLexHit reports whether any word list matches text.
func (m *Model) hasLexHit(text string) bool {
	sc := &scratch{}
	return len(m.extract(text, sc).hits) > 0
}

// Civil but heated political comments in all five languages must not get
// a suggested rejection reason: words like "attack", "enemy", "occupation"
// and "genocide" are news vocabulary.
var political = map[string][]string{
	"en": {
		"The attack on the border town was a war crime and the government must answer for it.",
		"Calling the other side the enemy will not bring peace; negotiations must resume.",
		"The occupation has lasted for decades and the international community keeps looking away.",
		"Historians overwhelmingly describe these events as genocide, and denial should be called out.",
		"Our army should defend the border, but bombing civilians is never acceptable.",
		"This minister lied about the refugee numbers and should resign.",
		"The shelling of the village killed eleven civilians, according to the UN monitors.",
		"Both governments signed the ceasefire, yet the enemy positions were reinforced overnight.",
		"Denying the genocide insults the memory of the victims and their descendants.",
		"The refugees from the border districts still have no housing, and that is a disgrace for the ministry.",
		"I strongly disagree with the author: sanctions will hurt ordinary people, not the regime.",
		"War crimes on either side must be investigated by an independent tribunal.",
		"The occupation of these districts was illegal under international law.",
		"Our soldiers died defending the border while politicians argued in the capital.",
		// Civil comments with words that YouTube spam uses (subscribe, follow,
		// please read, share, links).
		"Please read the UN commission's report before commenting, it lists every shelled village.",
		"Please share this article, people in the capital need to know what is happening at the border.",
		"I subscribe to this paper because it is the only one that covers the ceasefire talks honestly.",
		"You can find the full text of the agreement on the ministry's website.",
		"Check the map in the article: the new border runs right through the village.",
		"Thank you for covering the refugees, nobody else does.",
		"Follow the money: who paid for the new checkpoints?",
		"Watch the video of the press conference, the minister contradicts himself.",
		"Read my previous comment, I explained why the corridor matters.",
		"Join the protest on Saturday at the square, bring flags and water.",
		"Free the prisoners now! Sign the petition, it already has 20,000 signatures.",
		"Can you please publish the casualty figures from both sides?",
		"More information here: https://www.un.org/en/situation-report",
	},
	"ru": {
		"Атака на пограничный город — военное преступление, и правительство должно ответить.",
		"Оккупация длится десятилетиями, а мировое сообщество молчит.",
		"Историки называют эти события геноцидом, отрицать это недопустимо.",
		"Министр солгал о числе беженцев и должен уйти в отставку.",
		"Обстрел деревни унёс жизни одиннадцати мирных жителей, сообщают наблюдатели ООН.",
		"Обе стороны подписали перемирие, но позиции противника укрепили за ночь.",
		"Отрицание геноцида оскорбляет память жертв и их потомков.",
		"Беженцы из приграничных районов до сих пор без жилья, это позор для министерства.",
		"Я категорически не согласен с автором: санкции ударят по простым людям, а не по режиму.",
		"Военные преступления любой стороны должен расследовать независимый трибунал.",
		"Наши солдаты погибли, защищая границу, пока политики спорили в столице.",
		"Прочитайте доклад комиссии ООН, прежде чем комментировать: там перечислены все обстрелянные сёла.",
		"Поделитесь этой статьёй, люди должны знать, что происходит на границе.",
		"Я подписан на эту газету, потому что только она честно пишет о переговорах.",
	},
	"tr": {
		"Sınır kasabasına yapılan saldırı bir savaş suçudur ve hükümet hesap vermelidir.",
		"Düşman söylemi barış getirmez, müzakereler yeniden başlamalı.",
		"Bakan mülteci sayıları konusunda yalan söyledi ve istifa etmeli.",
		"İşgal yıllardır sürüyor ve uluslararası toplum susuyor.",
		"BM gözlemcilerine göre köyün bombalanması on bir sivilin ölümüne yol açtı.",
		"İki hükümet ateşkesi imzaladı, ama düşman mevzileri gece boyunca güçlendirildi.",
		"Soykırımı inkâr etmek kurbanların ve torunlarının hatırasına hakarettir.",
		"Sınır bölgelerinden gelen mülteciler hâlâ barınaksız, bu bakanlık için bir utançtır.",
		"Yazara kesinlikle katılmıyorum: yaptırımlar rejimi değil sıradan insanları vuracak.",
		"Her iki tarafın savaş suçları bağımsız bir mahkeme tarafından soruşturulmalı.",
		"Askerlerimiz sınırı savunurken öldü, politikacılar ise başkentte tartıştı.",
		"Lütfen yorum yapmadan önce BM raporunu okuyun, bombalanan tüm köyler orada listeleniyor.",
		"Bu haberi paylaşın, insanlar sınırda neler olduğunu bilmeli.",
	},
	"az": {
		"Sərhəd kəndinə hücum müharibə cinayətidir və hökumət cavab verməlidir.",
		"Qarabağ münaqişəsi haqqında danışıqlar yenidən başlamalıdır.",
		"Nazir qaçqınların sayı barədə yalan danışıb, istefa verməlidir.",
		"İşğal illərlə davam etdi, beynəlxalq ictimaiyyət susdu.",
		"BMT müşahidəçilərinə görə kəndin atəşə tutulması on bir dinc sakinin ölümünə səbəb oldu.",
		"Hər iki hökumət atəşkəsi imzaladı, amma düşmən mövqeləri gecə ərzində gücləndirildi.",
		"Sərhəd rayonlarından olan qaçqınlar hələ də evsizdir, bu nazirlik üçün biabırçılıqdır.",
		"Müəlliflə qətiyyən razı deyiləm: sanksiyalar rejimi yox, sadə insanları vuracaq.",
		"Hər iki tərəfin müharibə cinayətləri müstəqil tribunal tərəfindən araşdırılmalıdır.",
		"Əsgərlərimiz sərhədi qoruyarkən həlak oldular, siyasətçilər isə paytaxtda mübahisə edirdilər.",
		"Zəhmət olmasa, şərh yazmazdan əvvəl BMT-nin hesabatını oxuyun.",
	},
	"hy": {
		"Սահմանային գյուղի վրա հարձակումը պատերազմական հանցագործություն է։",
		"Ցեղասպանությունը պատմական փաստ է, և այն ժխտելը անընդունելի է։",
		"Նախարարը պետք է հրաժարական տա, նա ստել է փախստականների մասին։",
		"Oкупացիան շարունակվում է, իսկ միջազգային հանրությունը լռում է։",
		"ՄԱԿ-ի դիտորդների համաձայն՝ գյուղի գնդակոծությունը տասնմեկ խաղաղ բնակչի կյանք խլեց։",
		"Երկու կառավարությունները ստորագրեցին հրադադարը, բայց թշնամու դիրքերը գիշերը ամրացվեցին։",
		"Սահմանամերձ շրջանների փախստականները դեռ բնակարան չունեն, և դա ամոթ է նախարարության համար։",
		"Կտրականապես համաձայն չեմ հեղինակի հետ. պատժամիջոցները կհարվածեն հասարակ մարդկանց, ոչ թե ռեժիմին։",
		"Երկու կողմի պատերազմական հանցագործությունները պետք է քննի անկախ տրիբունալը։",
		"Մեր զինվորները զոհվեցին սահմանը պաշտպանելիս, իսկ քաղաքական գործիչները վիճում էին մայրաքաղաքում։",
		"Խնդրում եմ, կարդացեք ՄԱԿ-ի զեկույցը մինչ մեկնաբանելը։",
	},
	"hy-Latn": {
		"Genocide-@ patmakan past e, u ayn jxtel@ anyndunelia.",
		"Sahmanayin gyughi vra harcakum@ paterazmakan hancagorcutyun e.",
		"Naxarar@ petq e hrajarakan ta, na stel e pakhstakanneri masin.",
		"Mer zinvorner@ zohvecin sahman@ pashtpanelis, isk qaghaqakan gorcichner@ vichum ein.",
		"Hamadzayn chem heghinaki het, patjamijocner@ kharvacen hasarak mardkanc.",
		"Erku koghmi paterazmakan hancagorcutyunner@ petq e qnni ankakh tribunal@.",
	},
}

func TestPoliticalSpeechRegression(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	flagged, toxic, total := 0, 0, 0
	for lang, texts := range political {
		for _, s := range texts {
			total++
			v := classify(t, m, s)
			if v.SuggestedReason != "" {
				flagged++
				t.Logf("%s: %q suggested %q (scores %v, evidence %s)", lang, s, v.SuggestedReason, v.Scores, evidenceString(s, v.Evidence))
			}
			// Toxic pre-fills no reason but sorts the queue; count it too.
			if v.Scores[parley.LabelToxic] >= m.Threshold(v.Language, parley.LabelToxic) {
				toxic++
				t.Logf("%s: %q is over the toxic threshold (%.2f)", lang, s, v.Scores[parley.LabelToxic])
			}
		}
	}
	rate := float64(flagged) / float64(total)
	t.Logf("political regression set: %d of %d with a suggested reason (false-positive rate %.3f); %d over the toxic threshold (%.3f)",
		flagged, total, rate, toxic, float64(toxic)/float64(total))
	if rate > 0.05 {
		t.Errorf("false-positive rate %.3f of suggested reasons on civil political comments", rate)
	}
	if float64(toxic)/float64(total) > 0.15 {
		t.Errorf("%d of %d civil political comments over the toxic threshold", toxic, total)
	}
}

// TestThresholdsConservative: in the languages without labeled training
// data, a threshold is either set from measured precision (parley
// tune-thresholds) or at least the conservative floor.
func TestThresholdsConservative(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	for i, l := range parley.Labels {
		for _, lang := range []string{langHy, langHyLatn, langAz} {
			if m.measured[lang][i] > 0 {
				continue
			}
			if got := m.Threshold(lang, l); got < conservativeFloor || got < m.Threshold("", l) {
				t.Errorf("Threshold(%s, %s) = %v, want >= %v", lang, l, got, conservativeFloor)
			}
		}
	}
	if m.Threshold("en", "nonsense") != 1 {
		t.Error("unknown label threshold is not 1")
	}
}

func TestClassifyCancelled(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Classify(ctx, "hello")
	if !errors.Is(err, context.Canceled) || parley.ErrorCode(err) != parley.EUNAVAILABLE {
		t.Fatalf("err = %v", err)
	}
}

func TestClassifyEdgeInputs(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	long := strings.Repeat("spam spam fuck ", 5000)
	for _, s := range []string{"", "   ", "\xff\xfe", "🙂🙂🙂", "12345", long} {
		v := classify(t, m, s)
		if len(v.Scores) != nLabels {
			t.Errorf("%d scores", len(v.Scores))
		}
		for _, e := range v.Evidence {
			if e.Start < 0 || e.End > len(s) || e.Start >= e.End {
				t.Errorf("evidence %+v out of range", e)
			}
		}
	}
}

func TestTranslit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"ախպեր": "ahper", "բարեւ": "barev", "քու": "ku", "ապուշ": "apush"} {
		if got := featureWord(in, langHy); got != want {
			t.Errorf("featureWord(%q) = %q, want %q", in, got, want)
		}
	}
	// Script and translit meet in one spelling.
	for arm, lat := range map[string]string{"ախպեր": "axper", "քունեմ": "qunem", "ցավդ": "tsavd", "ուր": "our"} {
		if featureWord(arm, langHy) != featureWord(lat, langHyLatn) {
			t.Errorf("%q → %q but %q → %q", arm, featureWord(arm, langHy), lat, featureWord(lat, langHyLatn))
		}
	}
	// Azerbaijani meets Turkish.
	if featureWord("axmaq", langAz) != featureWord("ahmak", langTr) {
		t.Error("axmaq and ahmak differ")
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	rows := syntheticRows(400)
	m, err := Train(context.Background(), rows, TrainOptions{Bits: 14, Epochs: 3, Tune: syntheticRows(100)})
	if err != nil {
		t.Fatal(err)
	}
	m2, saved := saveAndLoad(t, m)
	for _, s := range []string{"you are a zorblax", "lovely weather today", "buy cheap pills at www.pills.example"} {
		a, b := classify(t, m, s), classify(t, m2, s)
		for _, l := range parley.Labels {
			if math.Abs(a.Scores[l]-b.Scores[l]) > 0.05 {
				t.Errorf("%q %s: %v before save, %v after", s, l, a.Scores[l], b.Scores[l])
			}
		}
	}
	if _, err := Load(bytes.NewReader([]byte("not a model"))); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("Load(garbage) err = %v", err)
	}
	trunc := saved[:len(saved)/2]
	if _, err := Load(bytes.NewReader(trunc)); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("Load(truncated) err = %v", err)
	}
}

// syntheticRows makes rows where the made-up insult "zorblax" is a personal
// attack and links are spam, with other labels unknown.
func syntheticRows(n int) []Row {
	benign := []string{"lovely weather today", "the council met on monday", "I liked the article", "the bus was late again", "good point about taxes"}
	var rows []Row
	for i := 0; i < n; i++ {
		r := Row{Lang: "en", Labels: [nLabels]int8{-1, -1, -1, -1, -1}}
		b := benign[i%len(benign)]
		switch i % 4 {
		case 0:
			r.Text = fmt.Sprintf("%s, you zorblax number %d", b, i)
			r.Labels[0], r.Labels[1] = 1, 1
		case 1:
			r.Text = fmt.Sprintf("buy cheap pills %d at www.pills%d.example", i, i)
			r.Labels[4] = 1
		default:
			r.Text = fmt.Sprintf("%s %d", b, i)
			r.Labels[0], r.Labels[1], r.Labels[4] = 0, 0, 0
		}
		rows = append(rows, r)
	}
	return rows
}

func TestTrainLearnsAndMasks(t *testing.T) {
	t.Parallel()
	rows := syntheticRows(400)
	m, err := Train(context.Background(), rows, TrainOptions{Bits: 14, Epochs: 4})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), m, syntheticRows(200))
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Labels[parley.LabelPersonalAttack].ROCAUC; got < 0.95 {
		t.Errorf("personal_attack AUC = %v on synthetic data", got)
	}
	if got := rep.Labels[parley.LabelSpam].ROCAUC; got < 0.95 {
		t.Errorf("spam AUC = %v on synthetic data", got)
	}
	if _, ok := rep.Labels[parley.LabelHateSpeech]; ok {
		t.Error("hate_speech measured although no row knows it")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, rows, TrainOptions{Bits: 12}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Train err = %v", err)
	}
	if _, err := Train(context.Background(), nil, TrainOptions{}); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("empty Train err = %v", err)
	}
}

func TestTargetsMasking(t *testing.T) {
	t.Parallel()
	// Unknown stays out of the loss unless implied.
	y, w := targets(Row{Labels: [nLabels]int8{1, -1, -1, -1, -1}})
	if w[1] != 0 || w[2] != 0 || w[3] != 0 || w[0] != 1 || y[0] != 1 {
		t.Errorf("toxic-only row: y=%v w=%v", y, w)
	}
	if w[4] != weakNegativeWeight || y[4] != 0 {
		t.Errorf("toxic-only row spam: y=%v w=%v", y[4], w[4])
	}
	// Without word-list hits, toxic does not stand in for the finer labels;
	// not toxic is a weak negative for them.
	_, w = targets(Row{Labels: [nLabels]int8{1, -1, -1, -1, -1}})
	for i := 1; i <= 3; i++ {
		if w[i] != 0 {
			t.Errorf("toxic row label %d has weight %v", i, w[i])
		}
	}
	y, w = targets(Row{Labels: [nLabels]int8{0, -1, -1, -1, -1}})
	for i := 1; i <= 3; i++ {
		if w[i] != weakLabelWeight || y[i] != 0 {
			t.Errorf("non-toxic row label %d: y=%v w=%v", i, y[i], w[i])
		}
	}
	// A toxic row with an insult hit is a weak personal attack.
	y, w = weakTargets(Row{Labels: [nLabels]int8{1, -1, -1, -1, -1}}, []lexHit{{cat: catInsult}})
	if y[1] != 1 || w[1] != weakLabelWeight || w[2] != 0 || w[3] != 0 {
		t.Errorf("toxic row with insult: y=%v w=%v", y, w)
	}
	// Known labels win over word lists.
	y, w = weakTargets(Row{Labels: [nLabels]int8{1, 0, -1, -1, -1}}, []lexHit{{cat: catInsult}})
	if y[1] != 0 || w[1] != 1 {
		t.Errorf("known attack=0 overridden: y=%v w=%v", y, w)
	}
	// Hate implies toxic.
	y, w = targets(Row{Labels: [nLabels]int8{-1, -1, 1, -1, -1}})
	if w[0] != 1 || y[0] != 1 {
		t.Errorf("hate row toxic: y=%v w=%v", y[0], w[0])
	}
	// A spam-only row knows nothing else.
	_, w = targets(Row{Labels: [nLabels]int8{-1, -1, -1, -1, 1}})
	if w[0] != 0 || w[1] != 0 || w[4] != 1 {
		t.Errorf("spam row: w=%v", w)
	}
}

func TestReadCSV(t *testing.T) {
	t.Parallel()
	in := "text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source\n" +
		"\"hello, world\",en,0,0,,,,x\n" +
		"you idiot,en,1,1,,0,,x\n"
	rows, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Text != "hello, world" || rows[0].Labels != [nLabels]int8{0, 0, -1, -1, -1} ||
		rows[1].Labels != [nLabels]int8{1, 1, -1, 0, -1} || rows[1].Source != "x" {
		t.Fatalf("rows = %+v", rows)
	}
	if _, err := ReadCSV(strings.NewReader("text,toxic\nhi,2\n")); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("bad label err = %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("")); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("empty err = %v", err)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	ys := []int8{0, 0, 1, 1}
	if got := rocAUC(ys, []float64{0.1, 0.4, 0.35, 0.8}); got != 0.75 {
		t.Errorf("rocAUC = %v, want 0.75", got)
	}
	if got := rocAUC(ys, []float64{0.5, 0.5, 0.5, 0.5}); got != 0.5 {
		t.Errorf("rocAUC ties = %v, want 0.5", got)
	}
	if got := prAUC(ys, []float64{0.1, 0.4, 0.35, 0.8}); math.Abs(got-(1+2.0/3)/2) > 1e-9 {
		t.Errorf("prAUC = %v", got)
	}
	c := confusionAt(ys, []float64{0.1, 0.6, 0.35, 0.8}, 0.5)
	if c != (confusion{tp: 1, fp: 1, tn: 1, fn: 1}) || c.f1() != 0.5 || c.macroF1() != 0.5 {
		t.Errorf("confusion = %+v f1 %v", c, c.f1())
	}
}

func TestSplitStable(t *testing.T) {
	t.Parallel()
	counts := map[Split]int{}
	for i := 0; i < 10000; i++ {
		counts[SplitOf(fmt.Sprintf("comment %d", i))]++
	}
	if counts[SplitDev] < 800 || counts[SplitDev] > 1200 || counts[SplitTune] < 800 || counts[SplitTune] > 1200 {
		t.Errorf("split counts %v", counts)
	}
	a, b := "same text", strings.Clone("same text")
	if SplitOf(a) != SplitOf(b) {
		t.Error("split not stable")
	}
}

// Evasions reach the same word lists, and evidence highlights the evasion
// as the author wrote it.
func TestEvasionEvidence(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	cases := []struct{ text, want string }{
		{"you are a f\u200bu\u200bc\u200bk\u200bi\u200bn\u200bg idiot", "f\u200bu\u200bc\u200bk\u200bi\u200bn\u200bg"},
		{"what an 1d10t", "1d10t"},
		{"ты деб1л", "деб1л"},
		{"ты дeбил", "дeбил"}, // Latin e
		{"sen bir a.p.t.a.l", "a.p.t.a.l"},
		{"դու ապուուուշ ես", "ապուուուշ"},
	}
	for _, c := range cases {
		v := classify(t, m, c.text)
		i := strings.Index(c.text, c.want)
		found := false
		for _, e := range v.Evidence {
			if e.Start == i && e.End == i+len(c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no evidence on %q; evidence: %s", c.text, c.want, evidenceString(c.text, v.Evidence))
		}
	}
}

func FuzzClassify(f *testing.F) {
	m := mustDefault(f)
	for _, s := range []string{"", "you idiot", "i.d.1.o.t", "ху\u200bй", "Քու մերը", "qu mer@", "Sən axmaq", "\xff", "@user http://x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := m.Classify(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Scores) != nLabels {
			t.Fatalf("%d scores", len(v.Scores))
		}
		for l, x := range v.Scores {
			if !(x >= 0 && x <= 1) {
				t.Fatalf("score %s = %v", l, x)
			}
		}
		for _, e := range v.Evidence {
			if e.Start < 0 || e.Start >= e.End || e.End > len(s) {
				t.Fatalf("evidence %+v out of range for len %d", e, len(s))
			}
		}
	})
}

func TestClassifyConcurrent(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	want := classify(t, m, goldens[0].text)
	done := make(chan parley.Verdict)
	for i := 0; i < 8; i++ {
		go func() {
			v, _ := m.Classify(context.Background(), goldens[0].text)
			for _, g := range goldens[1:6] {
				_, _ = m.Classify(context.Background(), g.text)
			}
			done <- v
		}()
	}
	for i := 0; i < 8; i++ {
		v := <-done
		if v.Scores[parley.LabelToxic] != want.Scores[parley.LabelToxic] || len(v.Evidence) != len(want.Evidence) {
			t.Errorf("concurrent verdict differs: %+v vs %+v", v, want)
		}
	}
}

// A link that pushes the spam score is highlighted whole, not only its
// first word.
func TestLinkEvidenceCoversTheLink(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	text := "More information here: https://www.un.org/en/situation-report"
	link := "https://www.un.org/en/situation-report"
	v := classify(t, m, text)
	i := strings.Index(text, link)
	found := false
	for _, e := range v.Evidence {
		if e.End <= i || e.Start >= i+len(link) {
			continue // not on the link
		}
		if e.Start != i || e.End != i+len(link) {
			t.Errorf("evidence %q on the link, want the whole link", text[e.Start:e.End])
		}
		found = true
	}
	if !found {
		t.Errorf("no evidence on the link: %s (scores %v)", evidenceString(text, v.Evidence), v.Scores)
	}
}

// The shipped model's tr, az and hy thresholds were set from measured
// precision, and a measured threshold replaces the floors.
func TestMeasuredThresholdsApply(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	for _, lang := range []string{langTr, langAz, langHy} {
		mt, ok := m.measured[lang]
		if !ok {
			t.Fatalf("no measured thresholds for %s", lang)
		}
		for i, l := range parley.Labels {
			if mt[i] > 0 && m.Threshold(lang, l) != float64(mt[i]) {
				t.Errorf("Threshold(%s, %s) = %v, measured %v", lang, l, m.Threshold(lang, l), mt[i])
			}
		}
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Load(&buf)
	if err != nil || len(back.measured) != len(m.measured) || back.measured[langAz] != m.measured[langAz] {
		t.Fatalf("measured thresholds did not survive Save and Load: %v %v", back.measured, err)
	}
	if _, ok := back.langThresholds[measuredPrefix+langAz]; ok {
		t.Fatal("a measured threshold read as a language's tuned threshold")
	}
}
