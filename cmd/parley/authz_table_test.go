package main

// The authorization matrix: every route of the assembled server (API,
// dashboard, widget, demo) with who may call it. TestAuthorizationMatrix
// walks every route against every principal, and fails for a route that
// has no entry here — so a new route cannot ship without saying who may
// call it.
//
// To add a route: add one line with its exact pattern (as registered, e.g.
// "POST /api/v1/things/{id}"), its access class, and what the request needs:
//   - ids: what {id} (and {site}) stand for — a fresh resource is made for
//     every request (see authzFixture.fill), so deleting one is fine;
//   - params: what other path parameters ({hook}, {invite}, …) stand for;
//   - query: the query string (after "?"), with {site} and {id} filled;
//   - json or form: the body (JSON for the API, a form for the dashboard);
//   - status: the exact status allowed principals get, when it is not simply
//     "not refused" (catch-all 404 routes).

// access is who may call a route.
type access int

const (
	public       access = iota // anyone, signed in or not
	account                    // any signed-in user, whatever the role
	anyModerator               // moderators and admins of at least one site
	owner                      // only the author of the comment in {id} (the guest principal here)
	moderator                  // moderators and admins of the site
	admin                      // admins of the site
)

// idKind is what {id} in a pattern stands for.
type idKind int

const (
	noID       idKind = iota
	commentID         // a fresh pending comment on site a, by the guest principal
	approvedID        // a fresh approved comment on site a
	storyID           // the story of such a comment
	sanctionID        // a fresh sanction on site a
	siteID            // the site itself ("a")
	staticFile        // a dashboard static file
	webhookID         // a fresh webhook of site a
	inviteID          // a fresh invitation to site a
	outboxID          // an outgoing message of site a
	modUserID         // the moderator principal's user
	reportID          // a fresh report of a published comment on site a
	missingID         // an ID that exists nowhere (allowed callers get 404)
)

type authzRule struct {
	who    access
	ids    idKind
	params map[string]idKind
	query  string
	json   string
	form   string
	status int
}

var authzTable = map[string]authzRule{
	"GET /healthz": {who: public},
	"/api/":        {who: public, status: 404},

	"GET /api/v1/comments":              {who: public, query: "site=a&story_url=https://a.example/news/1"},
	"POST /api/v1/comments":             {who: public, json: `{"site":"a","story_url":"https://a.example/news/1","body":"A matrix comment {n}.","author_name":"Walker {n}"}`},
	"PATCH /api/v1/comments/{id}":       {who: owner, ids: commentID, json: `{"body":"An edited matrix comment {n}."}`},
	"POST /api/v1/comments/{id}/report": {who: public, ids: approvedID, json: `{"reason":"spam"}`},
	"POST /api/v1/preview":              {who: public, json: `{"body":"*hi*"}`},
	"GET /api/v1/stream":                {who: public, query: "site=a&story_url=https://a.example/news/1"},
	"POST /api/v1/auth/login":           {who: public, json: `{"email":"nobody@example.org","password":"wrong password"}`, status: 401},
	"POST /api/v1/auth/logout":          {who: public},
	"GET /api/v1/auth/me":               {who: account},
	"GET /auth/popup":                   {who: public, query: "site=a&origin=https://a.example"},
	"POST /auth/popup":                  {who: public, form: "site=a&origin=https://a.example&email=nobody@example.org&password=wrong+password", status: 401},
	"GET /auth/popup.js":                {who: public},
	"GET /auth/popup.css":               {who: public},

	"GET /api/v1/moderation/queue":                  {who: moderator, query: "site=a"},
	"GET /api/v1/moderation/comments/{id}":          {who: moderator, ids: commentID},
	"POST /api/v1/moderation/comments/{id}/approve": {who: moderator, ids: commentID, json: `{}`},
	"POST /api/v1/moderation/comments/{id}/reject":  {who: moderator, ids: commentID, json: `{"reason":"spam"}`},
	"POST /api/v1/moderation/comments/{id}/spam":    {who: moderator, ids: commentID, json: `{}`},
	"POST /api/v1/moderation/bulk":                  {who: moderator, ids: commentID, json: `{"site":"a","ids":["{id}"],"action":"approve"}`},
	"GET /api/v1/moderation/audit":                  {who: moderator, query: "site=a"},
	"GET /api/v1/moderation/sanctions":              {who: moderator, query: "site=a"},
	"POST /api/v1/moderation/sanctions":             {who: moderator, json: `{"site":"a","author_key":"e:walker{n}@example.org","kind":"ban","reason":"matrix"}`},
	"DELETE /api/v1/moderation/sanctions/{id}":      {who: moderator, ids: sanctionID, query: "site=a"},
	"PATCH /api/v1/moderation/stories/{id}":         {who: moderator, ids: storyID, json: `{"closed":false}`},
	"GET /api/v1/moderation/stream":                 {who: moderator, query: "site=a"},
	"PUT /api/v1/admin/sites/{id}/settings":         {who: admin, ids: siteID, json: `{}`},
	"GET /api/v1/admin/sites/{id}/adapter":          {who: admin, ids: siteID},
	"DELETE /api/v1/admin/sites/{id}/adapter":       {who: admin, ids: siteID},

	// Issue 18: sanction a reporter for abuse of reporting.
	"POST /api/v1/moderation/reports/{id}/sanction-reporter": {who: moderator, ids: reportID, json: `{"reason":"matrix"}`},

	"GET /widget.js":   {who: public},
	"GET /widget/":     {who: public, status: 404},
	"GET /{$}":         {who: public},
	"GET /demo.css":    {who: public},
	"GET /favicon.ico": {who: public},

	"GET /moderation/static/{file}":                   {who: public, ids: staticFile},
	"GET /moderation/login":                           {who: public},
	"POST /moderation/login":                          {who: public, form: "email=nobody@example.org&password=wrong+password", status: 401},
	"POST /moderation/logout":                         {who: account, status: 303},
	"GET /moderation":                                 {who: anyModerator},
	"GET /moderation/{$}":                             {who: anyModerator},
	"/moderation/":                                    {who: account, status: 404},
	"GET /moderation/s/{site}":                        {who: moderator},
	"GET /moderation/s/{site}/campaigns":              {who: moderator},
	"GET /moderation/s/{site}/items/{id}":             {who: moderator, ids: commentID},
	"GET /moderation/s/{site}/counts":                 {who: moderator},
	"POST /moderation/s/{site}/decide":                {who: moderator, ids: commentID, form: "id={id}&action=approve"},
	"POST /moderation/s/{site}/bulk":                  {who: moderator, ids: commentID, form: "ids={id}&action=approve&scope=selected"},
	"GET /moderation/s/{site}/sanctions":              {who: moderator},
	"POST /moderation/s/{site}/sanctions":             {who: moderator, form: "author_key=e:walker{n}@example.org&kind=ban&reason=matrix"},
	"POST /moderation/s/{site}/sanctions/{id}/delete": {who: moderator, ids: sanctionID},
	"POST /moderation/s/{site}/settings":              {who: admin, form: "mode=pre&guests=on"},
	"GET /moderation/s/{site}/stories":                {who: moderator},
	"GET /moderation/s/{site}/stories/{id}":           {who: moderator, ids: storyID},
	"POST /moderation/s/{site}/stories/{id}":          {who: moderator, ids: storyID, form: "title=Matrix+story&url=https://a.example/news/m{n}&locked=on"},
	"GET /moderation/s/{site}/audit":                  {who: moderator},
	"GET /moderation/s/{site}/signin":                 {who: admin},
	"POST /moderation/s/{site}/signin":                {who: admin, form: "oidc_label=Matrix"},
	"GET /moderation/account/sessions":                {who: account},
	"POST /moderation/account/sessions/{id}/revoke":   {who: account, ids: missingID, status: 404},

	// Accounts, sign-in links, invitations and single sign-on.
	"GET /api/v1/account/sessions":                               {who: account},
	"DELETE /api/v1/account/sessions/{id}":                       {who: account, ids: missingID, status: 404},
	"POST /api/v1/auth/email-link":                               {who: public, json: `{"site":"a","email":"walker{n}@example.org","origin":"https://a.example"}`},
	"POST /api/v1/auth/password-reset":                           {who: public, json: `{"email":"walker{n}@example.org"}`},
	"POST /api/v1/auth/password-reset/confirm":                   {who: public, json: `{"token":"pr_nosuchtoken","password":"a long new password"}`, status: 422},
	"POST /api/v1/auth/invites/accept":                           {who: public, json: `{"token":"pi_nosuchtoken","name":"New","password":"a long new password"}`, status: 422},
	"POST /api/v1/auth/sso":                                      {who: public, json: `{"site":"a","token":"not.a.jwt"}`, status: 422},
	"GET /auth/email":                                            {who: public, query: "site=a&origin=https://a.example"},
	"GET /auth/email.js":                                         {who: public},
	"POST /auth/email":                                           {who: public, form: "token=pl_nosuchtoken", status: 422},
	"GET /auth/oidc/{site}/start":                                {who: public, status: 422}, // no OIDC provider configured for site a
	"GET /auth/oidc/callback":                                    {who: public, query: "state=nosuchstate&code=x", status: 400},
	"GET /api/v1/admin/sites/{id}/auth":                          {who: admin, ids: siteID},
	"PUT /api/v1/admin/sites/{id}/auth":                          {who: admin, ids: siteID, json: `{}`},
	"GET /api/v1/admin/sites/{id}/invites":                       {who: admin, ids: siteID},
	"POST /api/v1/admin/sites/{id}/invites":                      {who: admin, ids: siteID, json: `{"email":"invitee{n}@example.org","role":"moderator"}`},
	"DELETE /api/v1/admin/sites/{id}/invites/{invite}":           {who: admin, ids: siteID, params: map[string]idKind{"{invite}": inviteID}},
	"GET /api/v1/admin/sites/{id}/outbox":                        {who: admin, ids: siteID},
	"POST /api/v1/admin/sites/{id}/outbox/{msg}/retry":           {who: admin, ids: siteID, params: map[string]idKind{"{msg}": outboxID}},
	"POST /api/v1/admin/sites/{id}/users/{user}/revoke-sessions": {who: admin, ids: siteID, params: map[string]idKind{"{user}": modUserID}},

	// Webhooks.
	"GET /api/v1/admin/sites/{id}/webhooks":                       {who: admin, ids: siteID},
	"POST /api/v1/admin/sites/{id}/webhooks":                      {who: admin, ids: siteID, json: `{"url":"https://hooks.example/{n}","events":["comment.approved"]}`},
	"GET /api/v1/admin/sites/{id}/webhooks/{hook}":                {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}},
	"PATCH /api/v1/admin/sites/{id}/webhooks/{hook}":              {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}, json: `{"active":false}`},
	"DELETE /api/v1/admin/sites/{id}/webhooks/{hook}":             {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}},
	"POST /api/v1/admin/sites/{id}/webhooks/{hook}/rotate-secret": {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}, json: `{}`},
	"POST /api/v1/admin/sites/{id}/webhooks/{hook}/test":          {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}, json: `{}`},
	"GET /api/v1/admin/sites/{id}/webhooks/{hook}/deliveries":     {who: admin, ids: siteID, params: map[string]idKind{"{hook}": webhookID}},
	"GET /moderation/s/{site}/webhooks":                           {who: admin},
	"POST /moderation/s/{site}/webhooks":                          {who: admin, form: "url=https://hooks.example/{n}&events=comment.approved"},
	"GET /moderation/s/{site}/webhooks/{id}":                      {who: admin, ids: webhookID},
	"POST /moderation/s/{site}/webhooks/{id}":                     {who: admin, ids: webhookID, form: "url=https://hooks.example/{n}&events=comment.approved"},
	"POST /moderation/s/{site}/webhooks/{id}/delete":              {who: admin, ids: webhookID},
	"POST /moderation/s/{site}/webhooks/{id}/rotate":              {who: admin, ids: webhookID},
	"POST /moderation/s/{site}/webhooks/{id}/test":                {who: admin, ids: webhookID},

	// Privacy and reports.
	// Team, email outbox, invitation and password-reset pages (modui/email.go).
	"GET /moderation/s/{site}/team":                                 {who: admin},
	"POST /moderation/s/{site}/team/invites":                        {who: admin, form: "email=invitee{n}@example.org&role=moderator"},
	"POST /moderation/s/{site}/team/invites/{id}/delete":            {who: admin, ids: inviteID},
	"POST /moderation/s/{site}/team/members/{user}/revoke-sessions": {who: admin, params: map[string]idKind{"{user}": modUserID}},
	"GET /moderation/s/{site}/outbox":                               {who: admin},
	"POST /moderation/s/{site}/outbox/{id}/retry":                   {who: admin, ids: outboxID},
	"GET /moderation/invite":                                        {who: public, query: "token=pi_nosuchtoken", status: 422},
	"POST /moderation/invite":                                       {who: public, form: "token=pi_nosuchtoken&name=New&password=a+long+new+password", status: 422},
	"GET /moderation/reset":                                         {who: public},
	"POST /moderation/reset":                                        {who: public, form: "email=walker{n}@example.org", status: 202},
	"GET /moderation/reset/confirm":                                 {who: public, query: "token=pr_nosuchtoken"},
	"POST /moderation/reset/confirm":                                {who: public, form: "token=pr_nosuchtoken&password=a+long+new+password", status: 422},

	"GET /moderation/s/{site}/privacy":           {who: admin},
	"POST /moderation/s/{site}/privacy/export":   {who: admin, form: "email=walker{n}@example.org"},
	"POST /moderation/s/{site}/privacy/erase":    {who: admin, form: "email=walker{n}@example.org"},
	"POST /moderation/s/{site}/privacy/settings": {who: admin, form: "retention_days=30"},
	"POST /moderation/s/{site}/privacy/mail":     {who: admin, form: "approved=on&alert_pending=5"},
	"POST /api/v1/privacy/requests":              {who: public, json: `{"site":"a","email":"walker{n}@example.org","kind":"export"}`, status: 202},

	// Reader pages behind mail links: the token is the credential, so a
	// made-up one is a 404 for everyone.
	"GET /notify/{token}":                             {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"POST /notify/{token}":                            {who: public, params: map[string]idKind{"{token}": missingID}, form: "mode=off", status: 404},
	"GET /notify/{token}/unsubscribe":                 {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"POST /notify/{token}/unsubscribe":                {who: public, params: map[string]idKind{"{token}": missingID}, form: "List-Unsubscribe=One-Click", status: 404},
	"GET /notify/{token}/confirm":                     {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"POST /notify/{token}/confirm":                    {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"GET /notify/{token}/mute/{story}":                {who: public, params: map[string]idKind{"{token}": missingID, "{story}": missingID}, status: 404},
	"POST /notify/{token}/mute/{story}":               {who: public, params: map[string]idKind{"{token}": missingID, "{story}": missingID}, form: "mute=1", status: 404},
	"GET /privacy/{token}":                            {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"GET /privacy/{token}/export.json":                {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"POST /privacy/{token}/erase":                     {who: public, params: map[string]idKind{"{token}": missingID}, status: 404},
	"POST /moderation/s/{site}/reports/{id}/sanction": {who: moderator, ids: reportID, form: "kind=ban&reason=matrix"},

	// Import and export (a form without a file: admins get 422).
	"GET /moderation/s/{site}/transfer": {who: admin},
	"GET /moderation/s/{site}/export":   {who: admin, query: "format=jsonl"},
	"POST /moderation/s/{site}/import":  {who: admin, form: "format=disqus", status: 422},
}
