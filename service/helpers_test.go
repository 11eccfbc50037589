package service_test

import (
	"context"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// confirmReader confirms a reader's address on "news" through their link.
func (f *fixture) confirmReader(email string) {
	f.t.Helper()
	ctx := context.Background()
	r, err := f.db.GetNotifyReader(ctx, "news", email)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.ConfirmNotify(ctx, r.Token); err != nil {
		f.t.Fatal(err)
	}
}

// changeSettings changes the settings of "news" as its admin.
func (f *fixture) changeSettings(change func(*parley.Settings)) {
	f.t.Helper()
	ctx := context.Background()
	site, err := f.svc.Site(ctx, "news")
	if err != nil {
		f.t.Fatal(err)
	}
	st := site.Settings
	change(&st)
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", st); err != nil {
		f.t.Fatal(err)
	}
}

// twoHooks adds a public-facing and a moderator-facing webhook to "news",
// both subscribed to every event.
func (f *fixture) twoHooks() (pub, mods *parley.Webhook) {
	f.t.Helper()
	ctx := context.Background()
	all := parley.HookEvents
	pub, err := f.svc.CreateWebhook(ctx, f.mod, "news", service.WebhookInput{URL: ptr("https://cms.example/parley"), Events: &all})
	if err != nil {
		f.t.Fatal(err)
	}
	mods, err = f.svc.CreateWebhook(ctx, f.mod, "news", service.WebhookInput{URL: ptr("https://slack.example/hook"), Events: &all, ModeratorFacing: ptr(true)})
	if err != nil {
		f.t.Fatal(err)
	}
	return pub, mods
}
