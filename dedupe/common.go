package dedupe

import "strings"

// stopwordText lists words that carry no campaign-specific content:
// function words, pronouns, and the courtesy and reaction words that short
// replies are made of, in English, Russian, Armenian, Azerbaijani and
// Turkish. A word here does not count towards Signature.Informative. The
// words pass through the same normalizer as comments at start-up, so they
// are written in their ordinary spelling.
var stopwordText = []string{
	// English
	`a an the and or but if so as at by for from in into of on onto to with without about than then too very
	 i me my mine we us our you your yours he him his she her it its they them their this that these those
	 is am are was were be been being do does did done have has had will would shall should can could may might must
	 not no yes yeah yep nope ok okay oh ah wow lol lmao rofl haha hahaha omg wtf btw imo imho
	 what who whom which when where why how all any some just also only really much many more most
	 thank thanks thx ty please pls welcome hello hi hey bye cheers congrats congratulations
	 agree agreed disagree exactly true false same indeed absolutely totally definitely correct right wrong
	 great good nice cool awesome amazing excellent wonderful brilliant beautiful love like best well said
	 article story piece post comment read reading written write writing author journalist job work news report
	 one two here there now today still even ever never always again`,
	// Russian
	`и а но или да нет не ни же ли бы то это этот эта эти тот та те так как что чтобы кто где когда почему зачем
	 я мы ты вы он она оно они мне меня нас вас его ее её их мой моя мое моё мои наш ваш твой свой
	 в во на с со к ко по за из от до для о об про при без у над под между через
	 есть был была было были будет быть всё все весь вся очень уже еще ещё только тоже также вот там тут здесь
	 спасибо спс благодарю пожалуйста привет здравствуйте согласен согласна согласны точно верно правильно
	 отлично хорошо хороший хорошая супер класс круто молодец молодцы браво ура ага угу ок лол ахах хаха
	 статья статью статьи материал автор автору новость`,
	// Armenian
	`և եւ ու կամ բայց որ ինչ ով երբ որտեղ ինչու այս այդ այն սա դա նա ես դու մենք դուք նրանք իմ քո մեր ձեր
	 է են էր էին եմ ես ենք եք լինել չէ ոչ այո հա շատ էլ արդեն միայն նաև
	 շնորհակալություն շնորհակալ մերսի ապրես ապրեք բարև համաձայն ճիշտ լավ հիանալի սուպեր բրավո
	 հոդված հոդվածը հեղինակ`,
	// Azerbaijani
	`və ya amma ki bu o bir mən sən biz siz onlar mənim sənin bizim sizin də da ilə üçün kimi çox daha ən
	 nə kim harada niyə necə var yox bəli hə deyil idi olub olar
	 təşəkkür təşəkkürlər sağ ol olun salam xahiş razıyam doğru düz əla yaxşı super afərin məqalə müəllif`,
	// Turkish
	`ve veya ama fakat ki bu şu o bir ben sen biz siz onlar benim senin bizim sizin de da ile için gibi çok daha en
	 ne kim nerede neden niçin nasıl var yok evet hayır değil idi mi mı mu mü
	 teşekkür teşekkürler sağol sağ ol olun merhaba lütfen katılıyorum aynen doğru kesinlikle harika güzel süper
	 iyi bravo tebrikler makale yazı yazar haber`,
}

// stockText lists whole replies that are common on any news site. A text
// whose normalized words are exactly one of these never clusters, however
// many people post it. Most of them are already too short to cluster; the
// list is a second, explicit guard.
var stockText = []string{
	"+1", "agree", "i agree", "totally agree", "agreed", "thank you", "thanks", "thank you so much",
	"thanks for sharing", "thank you for this article", "great article", "well said", "so true", "this",
	"lol", "same", "exactly", "yes", "no", "wow", "nice", "good", "great",
	"спасибо", "спасибо большое", "спасибо за статью", "согласен", "согласна", "полностью согласен", "точно",
	"շնորհակալություն", "համաձայն եմ", "ապրես", "մերսի",
	"təşəkkürlər", "təşəkkür edirəm", "sağ ol", "razıyam", "çox sağ ol",
	"teşekkürler", "teşekkür ederim", "sağol", "katılıyorum", "aynen", "kesinlikle katılıyorum",
}

var (
	stopwords    map[string]bool
	stockReplies map[string]bool
)

func init() {
	stopwords = make(map[string]bool)
	for _, block := range stopwordText {
		for _, w := range strings.Fields(block) {
			for _, t := range tokens(w) {
				stopwords[t] = true
			}
		}
	}
	stockReplies = make(map[string]bool)
	for _, s := range stockText {
		stockReplies[strings.Join(tokens(s), " ")] = true
	}
}

func isStopword(w string) bool { return stopwords[w] }

// isStockReply reports whether the words ws, with immediate repetitions
// dropped ("thanks thanks thanks"), are one of the stock replies.
func isStockReply(ws []string) bool {
	if len(ws) == 0 {
		return true
	}
	if len(ws) > 6 {
		return false
	}
	dedup := make([]string, 0, len(ws))
	for i, w := range ws {
		if i > 0 && w == ws[i-1] {
			continue
		}
		dedup = append(dedup, w)
	}
	return stockReplies[strings.Join(dedup, " ")]
}
