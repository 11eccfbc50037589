package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to read Isso's database
)

// isso decodes an Isso SQLite database, opened read-only. Isso stores
// markdown, page paths (uri) relative to the site, times as float unix
// seconds, and a mode: 1 accepted, 2 waiting for moderation, 4 deleted.
type isso struct {
	db      *sql.DB
	base    string
	threads *sql.Rows
	rows    *sql.Rows
	urls    map[int64]string
}

func openIsso(path string, o Options) (Decoder, func() error, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, err
	}
	v := url.Values{}
	v.Set("mode", "ro")
	v.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(2)
	ctx := context.Background()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('threads', 'comments')`).Scan(&n); err != nil || n != 2 {
		db.Close()
		msg := "not an Isso database: it has no threads and comments tables"
		if err != nil {
			msg = "not an Isso database: " + err.Error()
		}
		return nil, nil, &SyntaxError{Format: "isso", Msg: msg}
	}
	d := &isso{db: db, base: strings.TrimRight(o.BaseURL, "/"), urls: map[int64]string{}}
	d.threads, err = db.QueryContext(ctx, `SELECT id, uri, coalesce(title, '') FROM threads ORDER BY id`)
	if err != nil {
		db.Close()
		return nil, nil, &SyntaxError{Format: "isso", Msg: err.Error()}
	}
	return d, d.close, nil
}

func (d *isso) close() error {
	if d.threads != nil {
		d.threads.Close()
	}
	if d.rows != nil {
		d.rows.Close()
	}
	return d.db.Close()
}

func (d *isso) Next() (Record, error) {
	if d.threads != nil {
		if d.threads.Next() {
			var id int64
			var uri, title string
			if err := d.threads.Scan(&id, &uri, &title); err != nil {
				return Record{}, &SyntaxError{Format: "isso", Msg: err.Error()}
			}
			u := uri
			if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
				if d.base == "" {
					return Record{}, &SyntaxError{Format: "isso", Msg: fmt.Sprintf("thread %d has the path %q: give the site's base URL (--base-url https://…)", id, uri)}
				}
				u = d.base + "/" + strings.TrimLeft(uri, "/")
			}
			d.urls[id] = u
			return Record{Thread: &Thread{SourceID: strconv.FormatInt(id, 10), URL: u, Title: title}}, nil
		}
		err := d.threads.Err()
		d.threads.Close()
		d.threads = nil
		if err != nil {
			return Record{}, &SyntaxError{Format: "isso", Msg: err.Error()}
		}
		d.rows, err = d.db.QueryContext(context.Background(), `SELECT tid, id, coalesce(parent, 0), created, mode,
			coalesce(text, ''), coalesce(author, ''), coalesce(email, ''), coalesce(remote_addr, '') FROM comments ORDER BY id`)
		if err != nil {
			return Record{}, &SyntaxError{Format: "isso", Msg: err.Error()}
		}
	}
	if d.rows == nil || !d.rows.Next() {
		if d.rows != nil {
			if err := d.rows.Err(); err != nil {
				return Record{}, &SyntaxError{Format: "isso", Msg: err.Error()}
			}
		}
		return Record{}, io.EOF
	}
	var tid, id, parent, mode int64
	var created float64
	var text, author, email, ip string
	if err := d.rows.Scan(&tid, &id, &parent, &created, &mode, &text, &author, &email, &ip); err != nil {
		return Record{Skip: &Skip{Reason: "unreadable comment row: " + err.Error()}}, nil
	}
	sid := strconv.FormatInt(id, 10)
	c := &Comment{SourceID: sid, ThreadID: strconv.FormatInt(tid, 10), Markdown: text, AuthorName: author,
		AuthorEmail: email, AuthorIP: ip, State: StateApproved}
	if parent != 0 {
		c.ParentID = strconv.FormatInt(parent, 10)
	}
	if math.IsNaN(created) || created <= 0 {
		return Record{Skip: &Skip{SourceID: sid, Reason: "comment has no creation time"}}, nil
	}
	sec, frac := math.Modf(created)
	c.CreatedAt = time.Unix(int64(sec), int64(frac*1e9)).UTC().Truncate(time.Microsecond)
	switch mode {
	case 1:
	case 2:
		c.State = StatePending
	case 4:
		c.State = StateDeleted
	default:
		return Record{Skip: &Skip{SourceID: sid, Reason: fmt.Sprintf("unknown mode %d", mode)}}, nil
	}
	return Record{Comment: c}, nil
}
