package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/webhook"
)

// webhookPayload is the outbox payload of a webhook message: the delivery
// to attempt. The body itself is in the delivery log.
type webhookPayload struct {
	DeliveryID string `json:"delivery_id"`
}

// DeliverWebhook makes one attempt at a delivery and records the outcome
// in the delivery log. It returns nil when the outbox message is done: the
// delivery went through, or it is cancelled, or it waits for an earlier
// one; and an error when the attempt failed and must be retried.
// lastAttempt marks the outbox's final try: a failure then marks the
// delivery failed.
//
// Deliveries of one comment to one hook go out in order. A delivery that
// finds an earlier one still pending is marked waiting and sends nothing;
// when the earlier one finishes (delivered, failed for good or cancelled)
// it queues the next waiting one. The check and the mark happen under the
// delivery's row lock, so a waiting delivery is always picked up.
func (s *Service) DeliverWebhook(ctx context.Context, id string, lastAttempt bool) error {
	var d *parley.WebhookDelivery
	var h *parley.Webhook
	err := s.store.InTx(ctx, func(tx parley.Store) error {
		d, h = nil, nil
		cur, err := tx.GetDelivery(ctx, id)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return nil // erased
		}
		if err != nil {
			return err
		}
		switch cur.Status {
		case parley.DeliveryDelivered, parley.DeliveryCancelled:
			return nil
		case parley.DeliveryFailed:
			// An operator sent the parked message again: try once more.
			cur.Status, cur.LastError = parley.DeliveryPending, ""
		}
		hook, err := tx.GetWebhook(ctx, cur.WebhookID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			cur.Status, cur.Waiting = parley.DeliveryCancelled, false
			if err := tx.UpdateDelivery(ctx, cur); err != nil {
				return err
			}
			return s.resumeNext(ctx, tx, cur)
		}
		if err != nil {
			return err
		}
		if cur.OrderKey != "" {
			earlier, err := tx.EarlierPending(ctx, cur)
			if err != nil {
				return err
			}
			if earlier {
				cur.Waiting = true
				return tx.UpdateDelivery(ctx, cur)
			}
		}
		d, h = cur, hook
		return nil
	})
	if err != nil || d == nil {
		return err
	}
	res := webhook.Post(ctx, s.hookClient, webhook.Request{URL: h.URL, Secret: h.Secret, Event: d.Event, Delivery: d.ID, Body: d.Body, At: s.clock.Now()})
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		cur, err := tx.GetDelivery(ctx, id)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return nil // erased meanwhile
		}
		if err != nil {
			return err
		}
		now := s.now()
		cur.Attempts++
		cur.StatusCode, cur.DurationMS, cur.LastAttemptAt, cur.Waiting = res.StatusCode, res.Duration.Milliseconds(), now, false
		switch {
		case res.Err == nil:
			cur.Status, cur.LastError, cur.DeliveredAt = parley.DeliveryDelivered, "", now
		case lastAttempt:
			cur.Status, cur.LastError = parley.DeliveryFailed, errText(res.Err)
		default:
			cur.Status, cur.LastError = parley.DeliveryPending, errText(res.Err)
		}
		if err := tx.UpdateDelivery(ctx, cur); err != nil {
			return err
		}
		if cur.Status == parley.DeliveryPending {
			return nil
		}
		return s.resumeNext(ctx, tx, cur)
	})
	if err != nil {
		return err
	}
	if res.Err != nil {
		if lastAttempt {
			s.log.WarnContext(ctx, "webhook delivery failed for good", "delivery", d.ID, "webhook", d.WebhookID, "err", res.Err)
		}
		return res.Err
	}
	return nil
}

// resumeNext queues the delivery after d if it is waiting for d.
func (s *Service) resumeNext(ctx context.Context, tx parley.Store, d *parley.WebhookDelivery) error {
	if d.OrderKey == "" {
		return nil
	}
	n, err := tx.NextDelivery(ctx, d)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil
	}
	if err != nil || !n.Waiting {
		return err
	}
	n.Waiting = false
	if err := tx.UpdateDelivery(ctx, n); err != nil {
		return err
	}
	return s.enqueueWebhookOutbox(ctx, tx, n, "webhook:"+n.ID+":after:"+d.ID)
}

// sendWebhook is the outbox sender for webhook messages.
func (s *Service) sendWebhook(ctx context.Context, m *parley.OutboxMessage) error {
	var p webhookPayload
	if err := json.Unmarshal(m.Payload, &p); err != nil || p.DeliveryID == "" {
		return Permanent(parley.WrapError(parley.EINTERNAL, "A webhook outbox message has no delivery.", err))
	}
	return s.DeliverWebhook(ctx, p.DeliveryID, s.OutboxLastAttempt(m))
}

// enqueueWebhookOutbox queues delivery d in the outbox, in the caller's
// transaction, under dedupeKey ("" for the first attempt).
func (s *Service) enqueueWebhookOutbox(ctx context.Context, tx parley.Store, d *parley.WebhookDelivery, dedupeKey string) error {
	if dedupeKey == "" {
		dedupeKey = "webhook:" + d.ID
	}
	payload, err := json.Marshal(webhookPayload{DeliveryID: d.ID})
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Internal error.", err)
	}
	now := s.now()
	return tx.EnqueueOutbox(ctx, &parley.OutboxMessage{ID: parley.NewID(now), SiteID: d.SiteID, Kind: parley.OutboxWebhook,
		DedupeKey: dedupeKey, Payload: payload, CreatedAt: now})
}

// errText shortens an error for the delivery log.
func errText(err error) string {
	msg := err.Error()
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "") + "…"
	}
	return msg
}
