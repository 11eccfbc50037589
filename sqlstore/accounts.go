package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// insertNew runs an INSERT ... ON CONFLICT DO NOTHING and reports ECONFLICT
// when no row was inserted. Avoiding the unique-violation error keeps a
// surrounding PostgreSQL transaction usable after a conflict, as it is on
// SQLite.
func (c *conn) insertNew(ctx context.Context, what, query string, args ...any) error {
	res, err := c.exec(ctx, query+" ON CONFLICT DO NOTHING", args...)
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return parley.Errorf(parley.ECONFLICT, "%s already exists.", what).WithKey("This already exists.")
	}
	return nil
}

// mustAffect returns ENOTFOUND when an UPDATE or DELETE touched no row.
func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return parley.Errorf(parley.ENOTFOUND, "%s not found.", what).WithKey("Not found.")
	}
	return nil
}

func marshalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", parley.WrapError(parley.EINTERNAL, "Internal error.", err)
	}
	return string(b), nil
}

func unmarshalJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return parley.WrapError(parley.EINTERNAL, "Internal error.", err)
	}
	return nil
}

// --- Sites ---

const siteCols = `id, name, origins, settings, created_at`

// CreateSite inserts a site. ECONFLICT if the ID exists.
func (c *conn) CreateSite(ctx context.Context, s *parley.Site) error {
	origins, err := marshalJSON(s.Origins)
	if err != nil {
		return err
	}
	settings, err := marshalJSON(s.Settings)
	if err != nil {
		return err
	}
	return c.insertNew(ctx, "Site", `INSERT INTO sites (`+siteCols+`) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.Name, origins, settings, c.d.timeArg(s.CreatedAt))
}

func scanSite(sc interface{ Scan(...any) error }) (*parley.Site, error) {
	var s parley.Site
	var origins, settings string
	if err := sc.Scan(&s.ID, &s.Name, &origins, &settings, timeCol{&s.CreatedAt}); err != nil {
		return nil, err
	}
	if err := unmarshalJSON(origins, &s.Origins); err != nil {
		return nil, err
	}
	if err := unmarshalJSON(settings, &s.Settings); err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSite returns a site. ENOTFOUND if missing.
func (c *conn) GetSite(ctx context.Context, id string) (*parley.Site, error) {
	s, err := scanSite(c.queryRow(ctx, `SELECT `+siteCols+` FROM sites WHERE id = ?`, id))
	return s, translate(err, "Site")
}

// UpdateSite writes a site's name, origins and settings. ENOTFOUND if missing.
func (c *conn) UpdateSite(ctx context.Context, s *parley.Site) error {
	origins, err := marshalJSON(s.Origins)
	if err != nil {
		return err
	}
	settings, err := marshalJSON(s.Settings)
	if err != nil {
		return err
	}
	res, err := c.exec(ctx, `UPDATE sites SET name = ?, origins = ?, settings = ? WHERE id = ?`, s.Name, origins, settings, s.ID)
	return mustAffect(res, err, "Site")
}

// ListSites returns every site in ID (creation) order.
func (c *conn) ListSites(ctx context.Context) ([]*parley.Site, error) {
	rows, err := c.query(ctx, `SELECT `+siteCols+` FROM sites ORDER BY id`)
	if err != nil {
		return nil, translate(err, "Site")
	}
	defer rows.Close()
	var out []*parley.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return nil, translate(err, "Site")
		}
		out = append(out, s)
	}
	return out, translate(rows.Err(), "Site")
}

// --- Users ---

const userCols = `id, email, name, password_hash, created_at`

// CreateUser inserts a user. ECONFLICT if the ID or the email (compared
// case-insensitively, by strings.ToLower) exists.
func (c *conn) CreateUser(ctx context.Context, u *parley.User) error {
	return c.insertNew(ctx, "User", `INSERT INTO users (id, email, email_lower, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, strings.ToLower(u.Email), u.Name, u.PasswordHash, c.d.timeArg(u.CreatedAt))
}

func scanUser(sc interface{ Scan(...any) error }) (*parley.User, error) {
	var u parley.User
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.CreatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUser returns a user. ENOTFOUND if missing.
func (c *conn) GetUser(ctx context.Context, id string) (*parley.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	return u, translate(err, "User")
}

// GetUserByEmail returns the user with that email, compared
// case-insensitively. ENOTFOUND if none.
func (c *conn) GetUserByEmail(ctx context.Context, email string) (*parley.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_lower = ?`, strings.ToLower(email)))
	return u, translate(err, "User")
}

// UpdateUser writes a user's email, name and password hash. ENOTFOUND if
// missing, ECONFLICT if the new email belongs to another user.
func (c *conn) UpdateUser(ctx context.Context, u *parley.User) error {
	res, err := c.exec(ctx, `UPDATE users SET email = ?, email_lower = ?, name = ?, password_hash = ? WHERE id = ?`,
		u.Email, strings.ToLower(u.Email), u.Name, u.PasswordHash, u.ID)
	return mustAffect(res, err, "User")
}

// SetRole inserts or replaces a membership. ENOTFOUND if the site or user
// does not exist.
func (c *conn) SetRole(ctx context.Context, m parley.Membership) error {
	_, err := c.exec(ctx, `INSERT INTO memberships (site_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (site_id, user_id) DO UPDATE SET role = excluded.role`, m.SiteID, m.UserID, string(m.Role))
	return translate(err, "Membership")
}

// DeleteRole removes a membership. ENOTFOUND if there is none.
func (c *conn) DeleteRole(ctx context.Context, siteID, userID string) error {
	res, err := c.exec(ctx, `DELETE FROM memberships WHERE site_id = ? AND user_id = ?`, siteID, userID)
	return mustAffect(res, err, "Membership")
}

// GetRole returns a user's role on a site. ENOTFOUND if none.
func (c *conn) GetRole(ctx context.Context, siteID, userID string) (parley.Role, error) {
	var r string
	err := c.queryRow(ctx, `SELECT role FROM memberships WHERE site_id = ? AND user_id = ?`, siteID, userID).Scan(&r)
	return parley.Role(r), translate(err, "Membership")
}

func (c *conn) listMemberships(ctx context.Context, where string, arg string) ([]parley.Membership, error) {
	rows, err := c.query(ctx, `SELECT site_id, user_id, role FROM memberships WHERE `+where+` ORDER BY site_id, user_id`, arg)
	if err != nil {
		return nil, translate(err, "Membership")
	}
	defer rows.Close()
	var out []parley.Membership
	for rows.Next() {
		var m parley.Membership
		var r string
		if err := rows.Scan(&m.SiteID, &m.UserID, &r); err != nil {
			return nil, translate(err, "Membership")
		}
		m.Role = parley.Role(r)
		out = append(out, m)
	}
	return out, translate(rows.Err(), "Membership")
}

// ListMemberships returns a user's memberships ordered by site ID.
func (c *conn) ListMemberships(ctx context.Context, userID string) ([]parley.Membership, error) {
	return c.listMemberships(ctx, `user_id = ?`, userID)
}

// ListSiteMembers returns a site's memberships ordered by user ID.
func (c *conn) ListSiteMembers(ctx context.Context, siteID string) ([]parley.Membership, error) {
	return c.listMemberships(ctx, `site_id = ?`, siteID)
}

// --- Tokens and sessions ---

// CreateToken inserts an API token. ECONFLICT if the ID or secret hash
// exists, ENOTFOUND if the user does not.
func (c *conn) CreateToken(ctx context.Context, t *parley.Token) error {
	return c.insertNew(ctx, "Token", `INSERT INTO tokens (id, user_id, secret_hash, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.UserID, t.SecretHash, c.d.timeArg(t.CreatedAt), c.d.nullTimeArg(t.LastUsedAt))
}

// GetTokenBySecretHash returns the token with that secret hash. ENOTFOUND if none.
func (c *conn) GetTokenBySecretHash(ctx context.Context, hash string) (*parley.Token, error) {
	var t parley.Token
	err := c.queryRow(ctx, `SELECT id, user_id, secret_hash, created_at, last_used_at FROM tokens WHERE secret_hash = ?`, hash).
		Scan(&t.ID, &t.UserID, &t.SecretHash, timeCol{&t.CreatedAt}, timeCol{&t.LastUsedAt})
	if err != nil {
		return nil, translate(err, "Token")
	}
	return &t, nil
}

// TouchToken sets a token's last-used time. ENOTFOUND if missing.
func (c *conn) TouchToken(ctx context.Context, id string, at time.Time) error {
	res, err := c.exec(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, c.d.nullTimeArg(at), id)
	return mustAffect(res, err, "Token")
}

// CreateSession inserts a session; an empty Method becomes
// parley.LoginPassword. ECONFLICT if the ID hash exists, ENOTFOUND if the
// user does not.
func (c *conn) CreateSession(ctx context.Context, s *parley.Session) error {
	if s.Method == "" {
		s.Method = parley.LoginPassword
	}
	return c.insertNew(ctx, "Session", `INSERT INTO sessions (id_hash, user_id, csrf_token, method, site_id, user_agent, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.UserID, s.CSRFToken, s.Method, s.SiteID, s.UserAgent, c.d.timeArg(s.CreatedAt), c.d.timeArg(s.ExpiresAt))
}

const sessionCols = `id_hash, user_id, csrf_token, method, site_id, user_agent, created_at, expires_at`

func scanSession(sc interface{ Scan(...any) error }) (*parley.Session, error) {
	var s parley.Session
	if err := sc.Scan(&s.IDHash, &s.UserID, &s.CSRFToken, &s.Method, &s.SiteID, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt}); err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSession returns a session, expired or not. ENOTFOUND if missing.
func (c *conn) GetSession(ctx context.Context, idHash string) (*parley.Session, error) {
	s, err := scanSession(c.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id_hash = ?`, idHash))
	if err != nil {
		return nil, translate(err, "Session")
	}
	return s, nil
}

// DeleteSession removes a session. Deleting a missing session is not an error.
func (c *conn) DeleteSession(ctx context.Context, idHash string) error {
	_, err := c.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return translate(err, "Session")
}
