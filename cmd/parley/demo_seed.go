package main

import (
	"context"
	"fmt"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// The demo's content: a multilingual thread under the sample article, and
// a moderation queue with flagged comments of every kind in every
// language, so that a first run shows what Parley does.
const (
	demoStoryURL    = "https://demo.parley.example/2026/11/night-trains-caucasus"
	demoStoryTitle  = "Night trains return to the Caucasus: what reopening the old rail line means"
	demoStory2URL   = "https://demo.parley.example/2026/11/border-crossing-hours"
	demoStory2Title = "Border crossing hours extended for the holidays"
)

// demoPost is one seeded comment.
type demoPost struct {
	who   string // guest name, or the key of a demo account ("desk", "reporter")
	body  string
	reply int    // 1-based index of the thread comment it answers; 0 for none
	story string // "" for the demo article
}

// demoThread is approved: what readers see under the article.
var demoThread = []demoPost{
	{who: "Mariam K.", body: "Great reporting. I took the night train to Tbilisi in 2008 and I have missed it ever since."},
	{who: "reporter", body: "Thank you! The first trains run on Fridays from December; the timetable is linked at the end of the article.", reply: 1},
	{who: "Алексей", body: "Отличная новость. Интересно, будут ли купе с розетками и сколько будет стоить билет?"},
	{who: "desk", body: "Билеты в купе стоят от 45 лари, розетки есть в каждом купе. Мы добавили цены в статью.", reply: 3},
	{who: "Արամ", body: "Շատ լավ հոդված է, շնորհակալություն։ Գիշերային գնացքների վերադարձը հիանալի լուր է Գյումրիի համար։"},
	{who: "Leyla", body: "Çox gözəl məqalədir, təşəkkür edirəm. Gecə qatarlarının qayıdışı əla xəbərdir."},
	{who: "Emre", body: "Bu yazı çok güzel olmuş, emeğinize sağlık. Kars hattı da açılır mı?"},
	{who: "reporter", body: "Kars hattı için henüz bir tarih yok; gelişmeleri takip edip haberi güncelleyeceğiz.", reply: 7},
	{who: "Nino", body: "Will bicycles be allowed on board? The article does not say.", reply: 1},
}

// demoQueue is pending: flagged comments of every kind in every language,
// with evidence, and some the low-risk lane shows.
var demoQueue = []demoPost{
	{who: "Troll42", body: "You are a pathetic idiot and nobody wants to read your garbage opinions."},
	{who: "Гость", body: "Ты жалкий идиот, заткнись уже со своими тупыми комментариями."},
	{who: "Անանուն", body: "Դու ապուշ ես, փակիր բերանդ և այլևս մի գրիր այստեղ։"},
	{who: "Qonaq", body: "Sən axmaq və alçaq adamsan, ağzını yum."},
	{who: "Misafir", body: "Sen aptal bir salaksın, çeneni kapat ve bir daha buraya yazma."},
	{who: "Patriot", body: "All those immigrants are vermin and should be thrown out of the country.", story: demoStory2URL},
	{who: "Наблюдатель", body: "Все эти мигранты — паразиты, их надо гнать из страны.", story: demoStory2URL},
	{who: "Հայրենասեր", body: "Բոլոր թուրքերը թշնամի են, նրանց պետք է ոչնչացնել։", story: demoStory2URL},
	{who: "Vətənpərvər", body: "Ermənilər murdardır, hamısı ölməlidir.", story: demoStory2URL},
	{who: "Vatansever", body: "Bütün o göçmenler haşeredir, hepsi ülkeden atılmalı.", story: demoStory2URL},
	{who: "angry_reader", body: "What a fucking shitty article, total bullshit."},
	{who: "Злой", body: "Какая хуйня, автор полный мудак."},
	{who: "Բարկացած", body: "Ինչ քաքի հոդված է, լրիվ հիմարություն, գնա քունեմ։"},
	{who: "Hirsli", body: "Nə bok məqalədir, tam cəfəngiyatdır, siktir."},
	{who: "Kızgın", body: "Ne boktan bir makale, tamamen saçmalık, siktir git."},
	{who: "Best Deals", body: "Earn $5000 a week from home! Click http://cheap-pills.example and buy now, limited offer!"},
	{who: "Заработок", body: "Заработок от 5000$ в неделю! Переходи по ссылке http://cheap-pills.example и подписывайся на мой канал!"},
	{who: "Եկամուտ", body: "Տանից շաբաթական 5000 դոլար վաստակեք։ Սեղմեք http://cheap-pills.example հղումը և բաժանորդագրվեք։"},
	{who: "Qazanc", body: "Evdən həftədə 5000 dollar qazan! Linkə keç http://cheap-pills.example və kanalıma abunə ol!"},
	{who: "Kazanç", body: "Evden haftada 5000 dolar kazan! Hemen tıkla http://cheap-pills.example ve kanalıma abone ol!"},
	// Clean, for the low-risk lane.
	{who: "Giorgi", body: "Does anyone know whether the Friday train stops in Sadakhlo?"},
	{who: "Ольга", body: "Спасибо за статью. Подскажите, можно ли купить билеты онлайн?"},
	{who: "Ani", body: "Շնորհակալություն, շատ օգտակար տեղեկություն է։"},
}

// demoCampaign is one text posted by several guests on both stories: a
// campaign cluster in the queue.
const demoCampaign = "Boycott the night train! Sign the petition at petition.example before Friday, share with everyone you know."

// demoAccounts are the demo's staff: the moderator and the admin print
// their logins; the desk and the reporter only write in the thread.
type demoAccount struct{ key, email, name string }

var (
	demoModerator = demoAccount{"moderator", "moderator@demo.example", "Demo Moderator"}
	demoAdmin     = demoAccount{"admin", "admin@demo.example", "Demo Admin"}
	demoDesk      = demoAccount{"desk", "desk@demo.example", "Gazette Newsroom"}
	demoReporter  = demoAccount{"reporter", "reporter@demo.example", "Lilit Hakobyan"}
)

// seedDemo fills a new demo site. users maps demo account keys to users.
func seedDemo(ctx context.Context, svc *service.Service, users map[string]*parley.User) error {
	admin := users[demoAdmin.key]
	guestN := 0
	author := func(who string) (service.Author, service.PostInput) {
		guestN++
		if u, ok := users[who]; ok {
			ip := fmt.Sprintf("192.0.2.%d", guestN)
			return service.Author{User: u, ClientIP: ip, ClientKey: ip}, service.PostInput{}
		}
		ip := fmt.Sprintf("198.51.100.%d", guestN)
		return service.Author{ClientIP: ip, ClientKey: ip, GuestToken: fmt.Sprintf("pg_demo_guest_%03d", guestN)},
			service.PostInput{GuestName: who, GuestEmail: fmt.Sprintf("reader%03d@demo.example", guestN)}
	}
	post := func(p demoPost, parentID string) (*parley.Comment, error) {
		a, in := author(p.who)
		in.SiteID, in.StoryURL, in.StoryTitle, in.Body, in.ParentID, in.ComposeMillis = demoSiteID, demoStoryURL, demoStoryTitle, p.body, parentID, 45000
		if p.story != "" {
			in.StoryURL, in.StoryTitle = p.story, demoStory2Title
		}
		r, err := svc.Post(ctx, a, in)
		if err != nil {
			return nil, errorf(ctx, "cli.err.demo_seed", p.body, err)
		}
		return r.Comment, nil
	}
	var thread []*parley.Comment
	for _, p := range demoThread {
		parent := ""
		if p.reply > 0 {
			parent = thread[p.reply-1].ID
		}
		c, err := post(p, parent)
		if err != nil {
			return err
		}
		if c.Status != parley.StatusApproved {
			if c, err = svc.Decide(ctx, admin, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
				return err
			}
		}
		thread = append(thread, c)
	}
	// The reporter is the article's author: the author badge.
	emails := []string{demoReporter.email}
	if _, err := svc.UpdateStory(ctx, admin, thread[0].StoryID, service.StorySettings{AuthorEmails: &emails}); err != nil {
		return err
	}
	for _, p := range demoQueue {
		if _, err := post(p, ""); err != nil {
			return err
		}
	}
	// A campaign: the same text from four guests on two stories.
	for i := 0; i < 4; i++ {
		p := demoPost{who: fmt.Sprintf("Concerned citizen %d", i+1), body: demoCampaign}
		if i%2 == 1 {
			p.story = demoStory2URL
		}
		if _, err := post(p, ""); err != nil {
			return err
		}
	}
	// A resubmission: one guest sends the same comment three times.
	a, in := author("Impatient")
	in.SiteID, in.StoryURL, in.StoryTitle, in.ComposeMillis = demoSiteID, demoStoryURL, demoStoryTitle, 45000
	in.Body = "Why is my comment still not published?? The trains should run every day, not only on Fridays!!"
	for i := 0; i < 3; i++ {
		if _, err := svc.Post(ctx, a, in); err != nil && !parley.IsCode(err, parley.EDUPLICATE) {
			return err
		}
	}
	// Reports on a published comment, with reasons and notes.
	reports := []struct {
		reason parley.Reason
		note   string
	}{
		{parley.ReasonOffTopic, "This is about bicycles, not trains."},
		{parley.ReasonOffTopic, ""},
		{parley.ReasonSpam, "Posted the same question on every story."},
	}
	for i, r := range reports {
		reader := service.Author{GuestToken: fmt.Sprintf("pg_demo_reporter_%d", i), ClientKey: fmt.Sprintf("203.0.113.%d", i+1)}
		if _, err := svc.Report(ctx, reader, thread[len(thread)-1].ID, r.reason, r.note); err != nil {
			return err
		}
	}
	return nil
}
