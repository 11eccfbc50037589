package storetest

import (
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testWebhooks(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	other := seedSite(t, db, 2)
	h := &parley.Webhook{ID: parley.NewID(at(3)), SiteID: site.ID, URL: "https://hooks.example/in", Description: "Slack",
		Events: []string{parley.HookCommentApproved, parley.HookCommentReported}, ModeratorFacing: true, Active: true,
		Secret: "whsec_abc", CreatedAt: at(3), UpdatedAt: at(3)}
	must(t, db.CreateWebhook(ctx(), h))
	wantCode(t, db.CreateWebhook(ctx(), h), parley.ECONFLICT)
	bad := *h
	bad.ID, bad.SiteID = parley.NewID(at(4)), "no-such-site"
	wantCode(t, db.CreateWebhook(ctx(), &bad), parley.ENOTFOUND)
	h2 := &parley.Webhook{ID: parley.NewID(at(5)), SiteID: other.ID, URL: "http://x.example", Events: []string{}, CreatedAt: at(5), UpdatedAt: at(5), Secret: "s"}
	must(t, db.CreateWebhook(ctx(), h2))

	got, err := db.GetWebhook(ctx(), h.ID)
	must(t, err)
	want := *h
	want.CreatedAt, want.UpdatedAt = us(h.CreatedAt), us(h.UpdatedAt)
	deepEqual(t, "webhook", got, &want)
	list, err := db.ListWebhooks(ctx(), site.ID)
	must(t, err)
	deepEqual(t, "site's webhooks", list, []*parley.Webhook{&want})

	h.URL, h.Events, h.ModeratorFacing, h.Active, h.Secret, h.UpdatedAt = "https://hooks.example/v2", []string{parley.HookUserSanctioned}, false, false, "whsec_new", at(6)
	must(t, db.UpdateWebhook(ctx(), h))
	got, err = db.GetWebhook(ctx(), h.ID)
	must(t, err)
	if got.URL != h.URL || got.Active || got.ModeratorFacing || got.Secret != "whsec_new" || len(got.Events) != 1 || !got.UpdatedAt.Equal(us(at(6))) {
		t.Fatalf("updated webhook = %+v", got)
	}
	missing := *h
	missing.ID = "nope"
	wantCode(t, db.UpdateWebhook(ctx(), &missing), parley.ENOTFOUND)

	// Deliveries are numbered per hook and order key.
	mk := func(n int, key string) *parley.WebhookDelivery {
		d := &parley.WebhookDelivery{ID: parley.NewID(at(n)), SiteID: site.ID, WebhookID: h.ID, Event: parley.HookCommentApproved,
			OrderKey: key, Body: []byte(`{"n":1}`), CreatedAt: at(n)}
		must(t, db.CreateDelivery(ctx(), d))
		return d
	}
	d1, d2, d3 := mk(10, "c1"), mk(11, "c1"), mk(12, "c2")
	if d1.Seq != 1 || d2.Seq != 2 || d3.Seq != 1 || d1.Status != parley.DeliveryPending {
		t.Fatalf("seqs = %d %d %d, status %q", d1.Seq, d2.Seq, d3.Seq, d1.Status)
	}
	for _, c := range []struct {
		d    *parley.WebhookDelivery
		want bool
	}{{d1, false}, {d2, true}, {d3, false}} {
		got, err := db.EarlierPending(ctx(), c.d)
		must(t, err)
		if got != c.want {
			t.Fatalf("EarlierPending(seq %d of %s) = %v", c.d.Seq, c.d.OrderKey, got)
		}
	}
	d1.Status, d1.Attempts, d1.StatusCode, d1.LastError, d1.DurationMS, d1.LastAttemptAt, d1.DeliveredAt = parley.DeliveryDelivered, 2, 204, "", 17, at(20), at(20)
	must(t, db.UpdateDelivery(ctx(), d1))
	if p, err := db.EarlierPending(ctx(), d2); err != nil || p {
		t.Fatalf("after delivery EarlierPending = %v, %v", p, err)
	}
	gd, err := db.GetDelivery(ctx(), d1.ID)
	must(t, err)
	wantD := *d1
	wantD.CreatedAt, wantD.LastAttemptAt, wantD.DeliveredAt = us(d1.CreatedAt), us(d1.LastAttemptAt), us(d1.DeliveredAt)
	deepEqual(t, "delivery", gd, &wantD)

	page, next, err := db.ListDeliveries(ctx(), h.ID, "", 2)
	must(t, err)
	equalIDs(t, "deliveries page 1", []string{page[0].ID, page[1].ID}, []string{d3.ID, d2.ID})
	page, next, err = db.ListDeliveries(ctx(), h.ID, next, 2)
	must(t, err)
	if len(page) != 1 || page[0].ID != d1.ID || next != "" {
		t.Fatalf("deliveries page 2 = %v next %q", page, next)
	}

	// Deleting a hook cancels what it still had pending and keeps the log.
	must(t, db.DeleteWebhook(ctx(), h.ID))
	wantCode(t, db.DeleteWebhook(ctx(), h.ID), parley.ENOTFOUND)
	_, err = db.GetWebhook(ctx(), h.ID)
	wantCode(t, err, parley.ENOTFOUND)
	for _, c := range []struct {
		id   string
		want parley.DeliveryStatus
	}{{d1.ID, parley.DeliveryDelivered}, {d2.ID, parley.DeliveryCancelled}, {d3.ID, parley.DeliveryCancelled}} {
		d, err := db.GetDelivery(ctx(), c.id)
		must(t, err)
		if d.Status != c.want {
			t.Fatalf("delivery %s status %q, want %q", c.id, d.Status, c.want)
		}
	}
}
