package service

import "context"

// quietKey marks a context whose writes queue no mail.
type quietKey struct{}

// WithoutMail returns a context under which the service queues no email:
// no address confirmations, reply or decision notices, or moderator mails.
// Seeding (the demo's made-up readers and staff at .example addresses)
// runs under it; webhooks and everything else still happen.
func WithoutMail(ctx context.Context) context.Context {
	return context.WithValue(ctx, quietKey{}, true)
}

// mailsOn reports whether mails with links can be written: they need the
// server's public URL (Options.PublicURL, --public-url), and ctx must not
// come from WithoutMail.
func (s *Service) mailsOn(ctx context.Context) bool {
	quiet, _ := ctx.Value(quietKey{}).(bool)
	return s.publicURL != "" && !quiet
}
