package sqlstore

import (
	"context"

	"github.com/parley-comments/parley"
)

// --- Webhooks ---

const webhookCols = `id, site_id, url, description, events, moderator_facing, active, secret, created_at, updated_at`

// CreateWebhook stores a new webhook. ECONFLICT if the ID exists, ENOTFOUND
// if the site does not.
func (c *conn) CreateWebhook(ctx context.Context, h *parley.Webhook) error {
	events, err := marshalJSON(h.Events)
	if err != nil {
		return err
	}
	return c.insertNew(ctx, "Webhook", `INSERT INTO webhooks (`+webhookCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.ID, h.SiteID, h.URL, h.Description, events, h.ModeratorFacing, h.Active, h.Secret, c.d.timeArg(h.CreatedAt), c.d.timeArg(h.UpdatedAt))
}

func scanWebhook(sc interface{ Scan(...any) error }) (*parley.Webhook, error) {
	var h parley.Webhook
	var events string
	if err := sc.Scan(&h.ID, &h.SiteID, &h.URL, &h.Description, &events, &h.ModeratorFacing, &h.Active, &h.Secret,
		timeCol{&h.CreatedAt}, timeCol{&h.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := unmarshalJSON(events, &h.Events); err != nil {
		return nil, err
	}
	if h.Events == nil {
		h.Events = []string{}
	}
	return &h, nil
}

// GetWebhook returns one webhook. ENOTFOUND if unknown.
func (c *conn) GetWebhook(ctx context.Context, id string) (*parley.Webhook, error) {
	h, err := scanWebhook(c.queryRow(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE id = ?`, id))
	return h, translate(err, "Webhook")
}

// UpdateWebhook writes a webhook's URL, description, events, audience,
// active flag, secret and update time. ENOTFOUND if unknown.
func (c *conn) UpdateWebhook(ctx context.Context, h *parley.Webhook) error {
	events, err := marshalJSON(h.Events)
	if err != nil {
		return err
	}
	res, err := c.exec(ctx, `UPDATE webhooks SET url = ?, description = ?, events = ?, moderator_facing = ?, active = ?, secret = ?, updated_at = ?
		WHERE id = ?`, h.URL, h.Description, events, h.ModeratorFacing, h.Active, h.Secret, c.d.timeArg(h.UpdatedAt), h.ID)
	return mustAffect(res, err, "Webhook")
}

// DeleteWebhook removes a webhook and cancels its pending deliveries; the
// delivery log stays. ENOTFOUND if unknown.
func (c *conn) DeleteWebhook(ctx context.Context, id string) error {
	return c.InTx(ctx, func(tx parley.Store) error {
		t := tx.(*conn)
		res, err := t.exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
		if err := mustAffect(res, err, "Webhook"); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE webhook_deliveries SET status = ? WHERE webhook_id = ? AND status = ?`,
			string(parley.DeliveryCancelled), id, string(parley.DeliveryPending))
		return translate(err, "Webhook delivery")
	})
}

// ListWebhooks returns a site's webhooks, oldest first.
func (c *conn) ListWebhooks(ctx context.Context, siteID string) ([]*parley.Webhook, error) {
	rows, err := c.query(ctx, `SELECT `+webhookCols+` FROM webhooks WHERE site_id = ? ORDER BY id`, siteID)
	if err != nil {
		return nil, translate(err, "Webhook")
	}
	defer rows.Close()
	out := []*parley.Webhook{}
	for rows.Next() {
		h, err := scanWebhook(rows)
		if err != nil {
			return nil, translate(err, "Webhook")
		}
		out = append(out, h)
	}
	return out, translate(rows.Err(), "Webhook")
}

// --- Deliveries ---

const deliveryCols = `id, site_id, webhook_id, event, order_key, seq, body, status, attempts, status_code, last_error, duration_ms,
	created_at, last_attempt_at, delivered_at, waiting`

// CreateDelivery stores a new pending delivery with the next sequence
// number of its hook and order key. Callers run it after the write that
// locks the ordered row (the comment), so that concurrent events of one
// comment are numbered in commit order; a clash is ECONFLICT.
func (c *conn) CreateDelivery(ctx context.Context, d *parley.WebhookDelivery) error {
	if err := c.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_deliveries WHERE webhook_id = ? AND order_key = ?`,
		d.WebhookID, d.OrderKey).Scan(&d.Seq); err != nil {
		return translate(err, "Webhook delivery")
	}
	if d.Status == "" {
		d.Status = parley.DeliveryPending
	}
	return c.insertNew(ctx, "Webhook delivery", `INSERT INTO webhook_deliveries (`+deliveryCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.SiteID, d.WebhookID, d.Event, d.OrderKey, d.Seq, string(d.Body), string(d.Status), d.Attempts, d.StatusCode, d.LastError,
		d.DurationMS, c.d.timeArg(d.CreatedAt), c.d.nullTimeArg(d.LastAttemptAt), c.d.nullTimeArg(d.DeliveredAt), d.Waiting)
}

func scanDelivery(sc interface{ Scan(...any) error }) (*parley.WebhookDelivery, error) {
	var d parley.WebhookDelivery
	var body, status string
	if err := sc.Scan(&d.ID, &d.SiteID, &d.WebhookID, &d.Event, &d.OrderKey, &d.Seq, &body, &status, &d.Attempts, &d.StatusCode,
		&d.LastError, &d.DurationMS, timeCol{&d.CreatedAt}, timeCol{&d.LastAttemptAt}, timeCol{&d.DeliveredAt}, &d.Waiting); err != nil {
		return nil, err
	}
	d.Body, d.Status = []byte(body), parley.DeliveryStatus(status)
	return &d, nil
}

// GetDelivery returns one delivery, its row locked inside a transaction
// on PostgreSQL. ENOTFOUND if unknown.
func (c *conn) GetDelivery(ctx context.Context, id string) (*parley.WebhookDelivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM webhook_deliveries WHERE id = ?`
	if c.tx != nil {
		q += c.d.forUpdate()
	}
	d, err := scanDelivery(c.queryRow(ctx, q, id))
	return d, translate(err, "Webhook delivery")
}

// NextDelivery returns the pending delivery after d for its hook and order
// key, locked inside a transaction on PostgreSQL. ENOTFOUND if none.
func (c *conn) NextDelivery(ctx context.Context, d *parley.WebhookDelivery) (*parley.WebhookDelivery, error) {
	q := `SELECT ` + deliveryCols + ` FROM webhook_deliveries WHERE webhook_id = ? AND order_key = ? AND seq > ? AND status = ?
		ORDER BY seq LIMIT 1`
	if c.tx != nil {
		q += c.d.forUpdate()
	}
	n, err := scanDelivery(c.queryRow(ctx, q, d.WebhookID, d.OrderKey, d.Seq, string(parley.DeliveryPending)))
	return n, translate(err, "Webhook delivery")
}

// UpdateDelivery records an attempt's outcome. ENOTFOUND if unknown.
func (c *conn) UpdateDelivery(ctx context.Context, d *parley.WebhookDelivery) error {
	res, err := c.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, status_code = ?, last_error = ?, duration_ms = ?,
		last_attempt_at = ?, delivered_at = ?, waiting = ? WHERE id = ?`, string(d.Status), d.Attempts, d.StatusCode, d.LastError, d.DurationMS,
		c.d.nullTimeArg(d.LastAttemptAt), c.d.nullTimeArg(d.DeliveredAt), d.Waiting, d.ID)
	return mustAffect(res, err, "Webhook delivery")
}

// EarlierPending reports whether an earlier delivery of the same hook and
// order key is still pending.
func (c *conn) EarlierPending(ctx context.Context, d *parley.WebhookDelivery) (bool, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND order_key = ? AND seq < ? AND status = ?`,
		d.WebhookID, d.OrderKey, d.Seq, string(parley.DeliveryPending)).Scan(&n)
	return n > 0, translate(err, "Webhook delivery")
}

// ListDeliveries returns a page of a hook's deliveries, newest first.
// Default limit 50, max 500.
func (c *conn) ListDeliveries(ctx context.Context, webhookID, cursor string, limit int) ([]*parley.WebhookDelivery, string, error) {
	limit = clampLimit(limit, 50, 500)
	q := `SELECT ` + deliveryCols + ` FROM webhook_deliveries WHERE webhook_id = ?`
	args := []any{webhookID}
	if cursor != "" {
		k, err := decodeCursor(cursor, "delivery")
		if err != nil {
			return nil, "", err
		}
		q += ` AND id < ?`
		args = append(args, k.ID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, "", translate(err, "Webhook delivery")
	}
	defer rows.Close()
	out := []*parley.WebhookDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, "", translate(err, "Webhook delivery")
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err, "Webhook delivery")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursorKey{Kind: "delivery", ID: out[limit-1].ID})
	}
	return out, next, nil
}
