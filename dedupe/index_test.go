package dedupe

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const campaignText = "The so-called ceasefire is a lie invented by the government to hide the shelling of villages. " +
	"Share this message everywhere before they delete it and demand that parliament stops funding the army right now."

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func doc(site, id, author, text string, at time.Time) Doc {
	return Doc{SiteID: site, CommentID: id, AuthorKey: author, Text: text, At: at}
}

func TestVariantsMatch(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	ix.Add(doc("s1", "orig", "e:alice@example.com", campaignText, t0))
	variants := map[string]string{
		"upper case":         strings.ToUpper(campaignText),
		"extra !!!":          campaignText + "!!!",
		"cyrillic a":         strings.ReplaceAll(campaignText, "a", "а"),
		"zero-width spaces":  strings.ReplaceAll(campaignText, "ll", "l\u200bl"),
		"whitespace":         strings.ReplaceAll(campaignText, " ", "  \n "),
		"no punctuation":     strings.NewReplacer(".", "", "-", " ", ",", "").Replace(campaignText),
		"typo":               strings.Replace(campaignText, "government", "governmnet", 1),
		"two added words":    "Honestly folks, " + campaignText,
		"emoji":              "🔥🔥 " + campaignText + " 🙏",
		"dropped sentence":   strings.Replace(campaignText, " right now", "", 1),
		"full-width letters": strings.Replace(campaignText, "ceasefire", "ｃｅａｓｅｆｉｒｅ", 1),
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			m := ix.Check(doc("s1", "new", "e:bob@example.com", v, t0.Add(time.Hour)))
			if !slices.Equal(m.Matches, []string{"orig"}) || m.ClusterID != "orig" || m.Common {
				t.Errorf("Check = %+v, want a match on orig with cluster orig", m)
			}
		})
	}
}

func TestUnrelatedTextsDoNotMatch(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	texts := []string{
		campaignText,
		"The new bridge over the river will open next spring, according to the city council, which approved the budget yesterday.",
		"I grew up in that neighbourhood and the bakery on the corner has been there for forty years; sad to see it close.",
		"Правительство опять повышает налоги на малый бизнес, а зарплаты в регионах не растут уже который год подряд.",
		"Bu karar ekonomiyi daha da kötüleştirecek, çünkü faiz oranları zaten çok yüksek ve enflasyon durmuyor.",
		"Այս որոշումը շատ վատ է ազդելու գյուղացիների վրա, որովհետև ջրի գինը կրկին բարձրացել է այս տարի։",
		"The government should explain how the ceasefire will be monitored and who pays for rebuilding the villages.",
	}
	for i, s := range texts {
		ix.Add(doc("s1", fmt.Sprint("c", i), fmt.Sprint("a", i), s, t0))
	}
	for i, s := range texts {
		m := ix.Check(doc("s1", "q", "someone-else", s, t0))
		if !slices.Equal(m.Matches, []string{fmt.Sprint("c", i)}) {
			t.Errorf("text %d: matches %v, want only itself", i, m.Matches)
		}
	}
}

func TestShortCommonRepliesNeverCluster(t *testing.T) {
	t.Parallel()
	replies := []string{
		"Thank you!", "+1", "Agree", "Спасибо", "Təşəkkürlər", "Շնորհակալություն", "Teşekkürler", "lol", "this", "👍",
		"Thank you so much for this great article!", "Спасибо большое за статью!", "Çox sağ olun, əla məqalədir!",
		"Kesinlikle katılıyorum, çok güzel bir yazı.", "Շնորհակալություն, շատ լավ հոդված է", "I agree 100% with you!!!",
		"THANK YOU", "thanks thanks thanks", "Well said.",
	}
	ix := NewIndex(Options{})
	for i := 0; i < 50; i++ {
		for j, r := range replies {
			ix.Add(doc(fmt.Sprint("site", i%5), fmt.Sprintf("c%d-%d", i, j), fmt.Sprint("guest", i), r, t0.Add(time.Duration(i)*time.Minute)))
		}
	}
	for _, r := range replies {
		m := ix.Check(doc("site0", "new", "newcomer", r, t0.Add(time.Hour)))
		if !m.Common || len(m.Matches) != 0 || m.ClusterID != "" || m.Reason == "" {
			t.Errorf("%q: Check = %+v, want Common with a reason and no cluster", r, m)
		}
	}
	if st := ix.Stats(); st.Docs != 0 {
		t.Errorf("short replies were indexed: %d docs", st.Docs)
	}
}

func TestCommonByUse(t *testing.T) {
	t.Parallel()
	phrase := "Peace and strength to everyone defending their homes tonight"
	ix := NewIndex(Options{})
	// Posted by many people on a single site, it is a campaign-like
	// repetition and clusters.
	for i := 0; i < 12; i++ {
		ix.Add(doc("s1", fmt.Sprint("a", i), fmt.Sprint("u", i), phrase, t0))
	}
	if m := ix.Check(doc("s1", "q", "other", phrase, t0)); m.Common || len(m.Matches) != 12 {
		t.Fatalf("single site: Check = %+v, want 12 matches", m)
	}
	// Once independent people on several sites use it, it is common.
	for i := 0; i < DefaultCommonAuthors; i++ {
		ix.Add(doc(fmt.Sprint("site", i%DefaultCommonSites), fmt.Sprint("b", i), fmt.Sprint("v", i), phrase, t0))
	}
	m := ix.Check(doc("s1", "q", "other", phrase+"!", t0))
	if !m.Common || len(m.Matches) != 0 {
		t.Fatalf("many sites: Check = %+v, want Common", m)
	}
	// A long text never becomes common, however widely it is posted.
	for i := 0; i < 30; i++ {
		ix.Add(doc(fmt.Sprint("site", i%5), fmt.Sprint("l", i), fmt.Sprint("w", i), campaignText, t0))
	}
	if m := ix.Check(doc("site0", "q", "other", campaignText, t0)); m.Common || len(m.Matches) != 6 {
		t.Fatalf("long text: Check = %+v, want 6 matches on site0", m)
	}
	// Commonness expires with the window.
	ix.Expire(t0.Add(ix.Options().Window + 24*time.Hour + time.Second))
	if st := ix.Stats(); st.CommonKeys != 0 || st.Docs != 0 {
		t.Fatalf("after expiry: %+v", st)
	}
}

// post simulates the service: check, join the cluster, tell matched
// comments without a cluster, then add.
func post(ix *Index, d Doc) Match {
	m := ix.Check(d)
	if m.ClusterID != "" {
		d.ClusterID = m.ClusterID
		for _, id := range m.Unclustered {
			ix.SetCluster(id, m.ClusterID)
		}
	}
	ix.Add(d)
	return m
}

func TestClusterOfFiveGuestsOnThreeStories(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	words := strings.Fields(campaignText)
	text := strings.Join(words[:30], " ")
	var ids []string
	for i := 0; i < 5; i++ {
		id := fmt.Sprintf("01K%03d", i)
		ids = append(ids, id)
		// Stories do not matter to the index; the site does.
		m := post(ix, doc("s1", id, fmt.Sprintf("e:guest%d@example.com", i), text, t0.Add(time.Duration(i)*time.Minute)))
		if i == 0 {
			if m.ClusterID != "" {
				t.Fatalf("first post matched: %+v", m)
			}
			continue
		}
		if m.ClusterID != ids[0] || len(m.Matches) != i {
			t.Fatalf("post %d: %+v, want cluster %s with %d matches", i, m, ids[0], i)
		}
		if i == 1 && !slices.Equal(m.Unclustered, []string{ids[0]}) {
			t.Fatalf("post 1: unclustered %v, want the first comment", m.Unclustered)
		}
		if i > 1 && len(m.Unclustered) != 0 {
			t.Fatalf("post %d: unclustered %v, want none", i, m.Unclustered)
		}
	}
	m := ix.Check(doc("s1", "probe", "e:probe@example.com", text, t0.Add(time.Hour)))
	if m.ClusterID != ids[0] || !slices.Equal(m.Matches, ids) {
		t.Fatalf("probe: %+v, want cluster %s over %v", m, ids[0], ids)
	}
	for _, id := range ids {
		r := ix.byID[id]
		if c := (*r.seg.rec(r.i)).cluster; c != ids[0] {
			t.Errorf("%s in cluster %q, want %q", id, c, ids[0])
		}
	}
}

func TestClusterPrefersEarliestClusteredMatch(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	ix.Add(Doc{SiteID: "s", CommentID: "c1", AuthorKey: "a1", Text: campaignText, At: t0})
	ix.Add(Doc{SiteID: "s", CommentID: "c2", AuthorKey: "a2", Text: campaignText, At: t0.Add(time.Minute), ClusterID: "K2"})
	ix.Add(Doc{SiteID: "s", CommentID: "c3", AuthorKey: "a3", Text: campaignText, At: t0.Add(2 * time.Minute), ClusterID: "K3"})
	m := ix.Check(doc("s", "c4", "a4", campaignText, t0.Add(3*time.Minute)))
	if m.ClusterID != "K2" || !slices.Equal(m.Matches, []string{"c1", "c2", "c3"}) || !slices.Equal(m.Unclustered, []string{"c1"}) {
		t.Fatalf("Check = %+v", m)
	}
	// Ties in time are broken by ID.
	ix2 := NewIndex(Options{})
	ix2.Add(doc("s", "b", "a1", campaignText, t0))
	ix2.Add(doc("s", "a", "a2", campaignText, t0))
	if m := ix2.Check(doc("s", "c", "a3", campaignText, t0)); m.ClusterID != "a" || !slices.Equal(m.Matches, []string{"a", "b"}) {
		t.Fatalf("tie: %+v", m)
	}
}

func TestSameAuthorSiteAndSelfExcluded(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	ix.Add(doc("s1", "c1", "u:1", campaignText, t0))
	ix.Add(doc("s2", "c2", "u:2", campaignText, t0))
	if m := ix.Check(doc("s1", "c3", "u:1", campaignText, t0)); len(m.Matches) != 0 {
		t.Errorf("same author matched: %+v", m)
	}
	if m := ix.Check(doc("s1", "c1", "u:9", campaignText, t0)); len(m.Matches) != 0 {
		t.Errorf("a comment matched itself: %+v", m)
	}
	if m := ix.Check(doc("s3", "c4", "u:3", campaignText, t0)); len(m.Matches) != 0 {
		t.Errorf("unknown site matched: %+v", m)
	}
	if m := ix.Check(doc("s2", "c5", "u:1", campaignText, t0)); !slices.Equal(m.Matches, []string{"c2"}) {
		t.Errorf("site s2: %+v, want only c2", m)
	}
}

func TestWindowAndExpiry(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{Window: 7 * 24 * time.Hour})
	ix.Add(doc("s", "old", "a1", campaignText, t0))
	ix.Add(doc("s", "new", "a2", campaignText, t0.Add(6*24*time.Hour)))
	if m := ix.Check(doc("s", "q", "a3", campaignText, t0.Add(7*24*time.Hour))); !slices.Equal(m.Matches, []string{"old", "new"}) {
		t.Fatalf("inside window: %v", m.Matches)
	}
	if m := ix.Check(doc("s", "q", "a3", campaignText, t0.Add(7*24*time.Hour+time.Second))); !slices.Equal(m.Matches, []string{"new"}) {
		t.Fatalf("just outside window: %v, want only new", m.Matches)
	}
	ix.Expire(t0.Add(8*24*time.Hour + time.Hour))
	if st := ix.Stats(); st.Docs != 1 {
		t.Fatalf("after expiry Docs = %d, want 1", st.Docs)
	}
	ix.SetCluster("old", "X") // unknown now: ignored
	if _, ok := ix.byID["old"]; ok {
		t.Fatal("expired comment still in byID")
	}
	ix.Expire(t0.Add(30 * 24 * time.Hour))
	if st := ix.Stats(); st.Docs != 0 || st.Segments != 0 {
		t.Fatalf("after full expiry: %+v", st)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	d := doc("s", "c1", "a1", campaignText, t0)
	ix.Add(d)
	d.ClusterID = "K"
	ix.Add(d)
	ix.Add(d)
	if st := ix.Stats(); st.Docs != 1 || st.Bytes <= 0 {
		t.Fatalf("Stats = %+v, want 1 doc", st)
	}
	if m := ix.Check(doc("s", "c2", "a2", campaignText, t0)); m.ClusterID != "K" || len(m.Matches) != 1 {
		t.Fatalf("Check = %+v, want cluster K filled in by the second Add", m)
	}
}

func TestConcurrentCheckAndAdd(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				d := doc("s", fmt.Sprintf("g%d-%d", g, i), fmt.Sprint("a", g), fmt.Sprintf("%s variant %d", campaignText, i%7), t0.Add(time.Duration(i)*time.Second))
				post(ix, d)
				if i%50 == 0 {
					ix.Expire(t0)
					_ = ix.Stats()
				}
			}
		}()
	}
	wg.Wait()
	if st := ix.Stats(); st.Docs != 800 {
		t.Fatalf("Docs = %d, want 800", st.Docs)
	}
	// Every comment matched earlier ones by the other authors, so all are
	// in one cluster by now.
	m := ix.Check(doc("s", "probe", "probe", campaignText, t0.Add(time.Hour)))
	if len(m.Matches) != DefaultMaxMatches || m.ClusterID == "" {
		t.Fatalf("probe: %d matches, cluster %q", len(m.Matches), m.ClusterID)
	}
}

func TestLargeClusterIsCapped(t *testing.T) {
	t.Parallel()
	ix := NewIndex(Options{MaxMatches: 10})
	for i := 0; i < 3000; i++ {
		post(ix, doc("s", fmt.Sprintf("c%05d", i), fmt.Sprint("a", i), campaignText, t0.Add(time.Duration(i)*time.Minute)))
	}
	m := ix.Check(doc("s", "probe", "probe", campaignText, t0.Add(3000*time.Minute)))
	if len(m.Matches) != 10 || m.ClusterID != "c00000" || !strings.Contains(m.Reason, "10+") {
		t.Fatalf("Check = %+v, want 10 matches in cluster c00000", m)
	}
	if !slices.IsSorted(m.Matches) {
		t.Errorf("matches not earliest first: %v", m.Matches)
	}
	// The 3000 comments span about two days: the reported ones come from
	// the oldest segment.
	if m.Matches[9] >= "c01440" {
		t.Errorf("matches %v are not from the first day", m.Matches)
	}
}
