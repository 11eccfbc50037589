package service

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/mailer"
)

// Paths of the pages that email links open, under the public URL.
const (
	SignInLinkPath = "/auth/email"
	InvitePath     = "/moderation/invite"
	ResetPath      = "/moderation/reset/confirm"
)

// mail returns the composer for Parley's own emails.
func (s *Service) mail() (*mailer.Composer, error) {
	s.mailOnce.Do(func() {
		cat, err := i18n.Load()
		if err == nil {
			s.composer, err = mailer.NewComposer(cat, s.publicURL)
		}
		s.mailErr = err
	})
	if s.mailErr != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Email is misconfigured.", s.mailErr)
	}
	return s.composer, nil
}

// linkRateLimit applies the email-link limits per client and per account.
func (s *Service) linkRateLimit(ctx context.Context, clientKey, account string) error {
	for _, l := range []struct {
		key   string
		rate  float64
		burst int
	}{
		{"link:addr:" + clientKey, s.limits.EmailLinkPerMinute, s.limits.EmailLinkBurst},
		{"link:acct:" + account, s.limits.EmailLinkPerAccountPerMinute, s.limits.EmailLinkPerAccountBurst},
	} {
		if err := s.rateLimit(ctx, l.key, l.rate, l.burst); err != nil {
			if e, ok := err.(*parley.Error); ok && e.Code == parley.ERATELIMITED {
				return &parley.Error{Code: parley.ERATELIMITED, Message: "Too many email requests. Please wait a few minutes and try again.", RetryAfter: e.RetryAfter}
			}
			return err
		}
	}
	return nil
}

// sendLink stores link l for secret and, when send is true, queues its
// email in the same transaction, then wakes the outbox. With send false
// (a reset for an unknown address) it does the same work but queues nothing.
func (s *Service) sendLink(ctx context.Context, l *parley.AuthLink, secret, lang, kind, path string, v mailer.LinkVars, send bool) error {
	c, err := s.mail()
	if err != nil {
		return err
	}
	v.URL = s.publicURL + path + "?token=" + url.QueryEscape(secret)
	if l := i18n.Match(lang); l != "" {
		v.URL += "&lang=" + l // the page it opens speaks the mail's language
	}
	v.Minutes = int(s.linkTTL / time.Minute)
	e, err := c.LinkMail(lang, kind, l.Email, v)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot compose the email.", err)
	}
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreateAuthLink(ctx, l); err != nil || !send {
			return err
		}
		return s.EnqueueEmail(ctx, tx, l.SiteID, "link:"+l.ID, e)
	})
	if err != nil {
		return err
	}
	s.KickOutbox()
	return nil
}

// newLink returns a fresh link and its secret.
func (s *Service) newLink(purpose, siteID, email string) (*parley.AuthLink, string) {
	now := s.now()
	secret := newSecret("pl_")
	return &parley.AuthLink{ID: parley.NewID(now), TokenHash: HashSecret(secret), Purpose: purpose, SiteID: siteID, Email: email,
		CreatedAt: now, ExpiresAt: now.Add(s.linkTTL)}, secret
}

// SignInLinkInput asks for a commenter's sign-in link.
type SignInLinkInput struct {
	SiteID string
	Email  string
	Name   string // the display name for a new account; ignored for an existing one
	// ReturnTo is the page to go back to after signing in; it must be on
	// one of the site's origins.
	ReturnTo  string
	Lang      string
	ClientKey string
}

// RequestSignInLink emails a single-use sign-in link to a commenter. It
// answers the same whether or not an account uses the address: the link
// creates the account when it is first used.
func (s *Service) RequestSignInLink(ctx context.Context, in SignInLinkInput) error {
	site, err := s.Site(ctx, in.SiteID)
	if err != nil {
		return err
	}
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(name) > MaxNameChars {
		return parley.Errorf(parley.EINVALID, "A name has at most %d characters.", MaxNameChars)
	}
	if in.ReturnTo != "" && !onSiteOrigins(site, in.ReturnTo) {
		return parley.Errorf(parley.EINVALID, "The page to return to is not on this site.")
	}
	if domainBlocked(site.Settings.BlockedDomains, email) {
		return parley.Errorf(parley.ESANCTIONED, "Comments from this email domain are not accepted on this site.")
	}
	if err := s.linkRateLimit(ctx, in.ClientKey, email); err != nil {
		return err
	}
	l, secret := s.newLink(parley.LinkSignIn, site.ID, email)
	l.ReturnTo, l.Name = in.ReturnTo, name
	return s.sendLink(ctx, l, secret, in.Lang, mailer.LinkMagic, SignInLinkPath, mailer.LinkVars{Name: name, Site: site.Name}, true)
}

// onSiteOrigins reports whether raw is an absolute URL on one of the site's origins.
func onSiteOrigins(site *parley.Site, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	o, err := NormalizeOrigin(u.Scheme + "://" + u.Host)
	if err != nil {
		return false
	}
	for _, so := range site.Origins {
		if strings.EqualFold(so, o) {
			return true
		}
	}
	return false
}

// SignedIn is the result of using an email link: a new session.
type SignedIn struct {
	Session  *parley.Session
	Secret   string // the session secret (cookie value or bearer token)
	User     *parley.User
	SiteID   string
	ReturnTo string // checked against the site's origins when the link was made
}

// UseSignInLink signs a commenter in with an emailed link. The link works
// once; the account is created on first use, and its address is verified.
func (s *Service) UseSignInLink(ctx context.Context, token string) (*SignedIn, error) {
	l, err := s.takeLink(ctx, token, parley.LinkSignIn)
	if err != nil {
		return nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, l.Email)
	if parley.IsCode(err, parley.ENOTFOUND) {
		name := l.Name
		if name == "" {
			name, _, _ = strings.Cut(l.Email, "@")
		}
		now := s.now()
		u = &parley.User{ID: parley.NewID(now), Email: l.Email, Name: truncateRunes(name, MaxNameChars), CreatedAt: now}
		if err = s.store.CreateUser(ctx, u); parley.IsCode(err, parley.ECONFLICT) {
			u, err = s.store.GetUserByEmail(ctx, l.Email) // created by a concurrent link
		}
	}
	if err != nil {
		return nil, err
	}
	return s.signInByLink(ctx, u, l, parley.LoginEmailLink)
}

// takeLink uses a link of one purpose. An unknown, used or expired link
// (or one made for another purpose) is EINVALID with one message.
func (s *Service) takeLink(ctx context.Context, token, purpose string) (*parley.AuthLink, error) {
	bad := &parley.Error{Code: parley.EINVALID, Message: "This link is invalid, already used or expired. Ask for a new one.", Fields: map[string]any{"reason": "link_invalid"}}
	if token == "" || len(token) > 200 {
		return nil, bad
	}
	l, err := s.store.TakeAuthLink(ctx, HashSecret(token), s.now())
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if l.Purpose != purpose {
		return nil, bad
	}
	return l, nil
}

// signInByLink verifies u's address and starts a session, recorded as
// signed in by method through the link's site.
func (s *Service) signInByLink(ctx context.Context, u *parley.User, l *parley.AuthLink, method string) (*SignedIn, error) {
	now := s.now()
	if err := s.store.SetEmailVerified(ctx, u.ID, now); err != nil {
		return nil, err
	}
	secret := newSecret("ps_")
	sess := &parley.Session{IDHash: HashSecret(secret), UserID: u.ID, CSRFToken: newSecret(""), Method: method, SiteID: l.SiteID,
		CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return &SignedIn{Session: sess, Secret: secret, User: u, SiteID: l.SiteID, ReturnTo: l.ReturnTo}, nil
}

// --- Staff invites ---

// InviteInput is an admin's invitation.
type InviteInput struct {
	SiteID    string
	Email     string
	Role      parley.Role // moderator or author
	Lang      string      // the invitee's language
	ClientKey string
}

// Invite emails a single-use invitation to join a site as a moderator or
// author. Admins of the site only.
func (s *Service) Invite(ctx context.Context, actor *parley.User, in InviteInput) (*parley.AuthLink, error) {
	if err := s.requireAdmin(ctx, actor, in.SiteID); err != nil {
		return nil, err
	}
	if in.Role != parley.RoleModerator && in.Role != parley.RoleAuthor {
		return nil, parley.Errorf(parley.EINVALID, "Invite a moderator or an author.")
	}
	email, err := normalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	site, err := s.Site(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	if err := s.linkRateLimit(ctx, in.ClientKey, "invite:"+actor.ID); err != nil {
		return nil, err
	}
	l, secret := s.newLink(parley.LinkInvite, site.ID, email)
	l.Role, l.InvitedBy = in.Role, actor.ID
	if err := s.sendLink(ctx, l, secret, in.Lang, mailer.LinkInvite, InvitePath, mailer.LinkVars{Site: site.Name, Inviter: actor.Name, Role: in.Role}, true); err != nil {
		return nil, err
	}
	return l, nil
}

// Invites lists a site's open invitations. Admins of the site only.
func (s *Service) Invites(ctx context.Context, actor *parley.User, siteID string) ([]*parley.AuthLink, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	return s.store.ListAuthLinks(ctx, siteID, parley.LinkInvite, s.now())
}

// RevokeInvite withdraws an open invitation. Admins of the site only.
func (s *Service) RevokeInvite(ctx context.Context, actor *parley.User, siteID, id string) error {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return err
	}
	return notFoundAs(s.store.DeleteAuthLink(ctx, siteID, id), "No such invitation.")
}

// InviteInfo is what the invitation page shows before it is accepted.
type InviteInfo struct {
	Email    string
	Role     parley.Role
	SiteID   string
	SiteName string
	// HasAccount is true when the address already has a Parley account.
	HasAccount bool
}

// PeekInvite describes an open invitation without using it.
func (s *Service) PeekInvite(ctx context.Context, token string) (*InviteInfo, error) {
	l, err := s.store.PeekAuthLink(ctx, HashSecret(token), s.now())
	if err != nil || l.Purpose != parley.LinkInvite {
		return nil, &parley.Error{Code: parley.EINVALID, Message: "This invitation is invalid, already used or expired. Ask for a new one.", Fields: map[string]any{"reason": "link_invalid"}}
	}
	site, err := s.Site(ctx, l.SiteID)
	if err != nil {
		return nil, err
	}
	_, err = s.store.GetUserByEmail(ctx, l.Email)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return nil, err
	}
	return &InviteInfo{Email: l.Email, Role: l.Role, SiteID: site.ID, SiteName: site.Name, HasAccount: err == nil}, nil
}

// AcceptInvite uses an invitation: it creates the account with the chosen
// name and password (or sets the password of the existing account with
// the invited address, signing it out everywhere), grants the role, and
// signs the user in.
func (s *Service) AcceptInvite(ctx context.Context, token, name, password string) (*SignedIn, error) {
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	l, err := s.takeLink(ctx, token, parley.LinkInvite)
	if err != nil {
		return nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, l.Email)
	switch {
	case parley.IsCode(err, parley.ENOTFOUND):
		if name == "" || utf8.RuneCountInString(name) > MaxNameChars {
			return nil, parley.Errorf(parley.EINVALID, "A name of 1 to %d characters is required.", MaxNameChars)
		}
		now := s.now()
		u = &parley.User{ID: parley.NewID(now), Email: l.Email, Name: name, PasswordHash: hash, CreatedAt: now}
		if err := s.store.CreateUser(ctx, u); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := s.setPassword(ctx, u, hash); err != nil {
			return nil, err
		}
	}
	if err := s.grantInvite(ctx, u, l); err != nil {
		return nil, err
	}
	return s.signInByLink(ctx, u, l, parley.LoginPassword)
}

// AcceptInviteAs uses an invitation for a user who signed in another way
// (for example through the site's OIDC provider) and grants its role. It
// is the hook for binding an invitation to an external identity.
func (s *Service) AcceptInviteAs(ctx context.Context, token string, u *parley.User) (*parley.AuthLink, error) {
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please sign in first.")
	}
	l, err := s.takeLink(ctx, token, parley.LinkInvite)
	if err != nil {
		return nil, err
	}
	return l, s.grantInvite(ctx, u, l)
}

// grantInvite gives u the invited role, never lowering a higher one.
func (s *Service) grantInvite(ctx context.Context, u *parley.User, l *parley.AuthLink) error {
	cur, err := s.Role(ctx, u, l.SiteID)
	if err != nil {
		return err
	}
	if cur == parley.RoleAdmin || (cur == parley.RoleModerator && l.Role == parley.RoleAuthor) {
		return nil
	}
	return s.store.SetRole(ctx, parley.Membership{SiteID: l.SiteID, UserID: u.ID, Role: l.Role})
}

// --- Password reset ---

// RequestPasswordReset emails a reset link if an account uses the address.
// It answers the same for unknown addresses, after comparable work (the
// email is composed and a link row written either way) and never sooner
// than resetFloor, so that neither answer nor timing reveals who has an
// account.
func (s *Service) RequestPasswordReset(ctx context.Context, email, lang, clientKey string) error {
	defer equalTime(ctx, time.Now(), resetFloor)
	email, err := normalizeEmail(email)
	if err != nil {
		return err
	}
	if err := s.linkRateLimit(ctx, clientKey, email); err != nil {
		return err
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	l, secret := s.newLink(parley.LinkReset, "", email)
	v := mailer.LinkVars{Site: "Parley"}
	if u != nil {
		// The message belongs to the user's first site, whose admins see it
		// in the outbox if it cannot be delivered.
		ms, err := s.store.ListMemberships(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			l.SiteID = ms[0].SiteID
			if site, err := s.store.GetSite(ctx, l.SiteID); err == nil {
				v.Site = site.Name
			}
		}
		l.UserID, v.Name = u.ID, u.Name
	}
	return s.sendLink(ctx, l, secret, lang, mailer.LinkReset, ResetPath, v, u != nil)
}

// resetFloor is the least time a reset request takes, so that the extra
// work for a known address (queueing its email) cannot be timed.
const resetFloor = 100 * time.Millisecond

// equalTime sleeps until floor has passed since start (or ctx ends).
func equalTime(ctx context.Context, start time.Time, floor time.Duration) {
	if d := floor - time.Since(start); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// ResetPassword sets a new password with a reset link, voids the user's
// other reset links and ends all their sessions.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*parley.User, error) {
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, err
	}
	l, err := s.takeLink(ctx, token, parley.LinkReset)
	if err != nil {
		return nil, err
	}
	if l.UserID == "" {
		return nil, parley.Errorf(parley.EINVALID, "This link is invalid, already used or expired. Ask for a new one.")
	}
	u, err := s.store.GetUser(ctx, l.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, u, hash); err != nil {
		return nil, err
	}
	if err := s.store.DeleteAuthLinksFor(ctx, u.Email, parley.LinkReset); err != nil {
		return nil, err
	}
	return u, s.store.SetEmailVerified(ctx, u.ID, s.now())
}

// setPassword stores a new password hash and ends every session of the user.
func (s *Service) setPassword(ctx context.Context, u *parley.User, hash string) error {
	u.PasswordHash = hash
	defer s.sessions.clear()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	n, err := s.store.DeleteUserSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password changed; sessions ended", "user", u.ID, "sessions", n)
	return nil
}

func validatePassword(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordChars {
		return parley.Errorf(parley.EINVALID, "The password must have at least %d characters.", MinPasswordChars)
	}
	if len(p) > 1024 {
		return parley.Errorf(parley.EINVALID, "The password is too long.")
	}
	return nil
}

// LinkMinutes is how long emailed links last, in minutes.
func (s *Service) LinkMinutes() int { return int(s.linkTTL / time.Minute) }
