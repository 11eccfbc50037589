package transfer

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
)

// WXRWriter writes a WordPress WXR 1.2 file that WordPress's importer (and
// Parley's) reads: one <item> per story with its comments. Comment IDs are
// numbered from 1 in the order written; WXRWriter maps Parley IDs to them.
type WXRWriter struct {
	w     *bufio.Writer
	ids   map[string]int
	next  int
	post  int
	open  bool
	err   error
	title string
}

// NewWXRWriter writes the channel header.
func NewWXRWriter(w io.Writer, siteTitle, siteURL string) (*WXRWriter, error) {
	x := &WXRWriter{w: bufio.NewWriterSize(w, 1<<16), ids: map[string]int{}, title: siteTitle}
	x.raw(xml.Header)
	x.raw(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">` + "\n<channel>\n")
	x.elem("title", siteTitle)
	x.elem("link", siteURL)
	x.elem("wp:wxr_version", "1.2")
	return x, x.err
}

func (x *WXRWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *WXRWriter) elem(name, text string) {
	x.raw("<" + name + ">")
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(text))
	}
	x.raw("</" + name + ">\n")
}

// Story starts a story's <item>; its comments follow.
func (x *WXRWriter) Story(s JSONLStory) error {
	x.endItem()
	x.post++
	x.raw("<item>\n")
	x.elem("title", s.Title)
	x.elem("link", s.URL)
	x.elem("wp:post_id", strconv.Itoa(x.post))
	x.elem("wp:post_date_gmt", s.CreatedAt.UTC().Format("2006-01-02 15:04:05"))
	status := "open"
	if s.Closed {
		status = "closed"
	}
	x.elem("wp:comment_status", status)
	x.elem("wp:post_type", "post")
	x.elem("wp:status", "publish")
	x.open = true
	return x.err
}

// Comment writes one comment of the current story. A parent must have been
// written before its replies.
func (x *WXRWriter) Comment(c JSONLComment) error {
	x.next++
	x.ids[c.ID] = x.next
	approved := "0"
	switch c.Status {
	case "approved":
		approved = "1"
	case "spam":
		approved = "spam"
	case "rejected":
		approved = "trash"
	}
	x.raw("<wp:comment>\n")
	x.elem("wp:comment_id", strconv.Itoa(x.next))
	x.elem("wp:comment_author", c.Author.Name)
	x.elem("wp:comment_author_email", c.Author.Email)
	t := c.CreatedAt.UTC().Format("2006-01-02 15:04:05")
	x.elem("wp:comment_date", t)
	x.elem("wp:comment_date_gmt", t)
	x.raw("<wp:comment_content>")
	x.cdata(c.HTML)
	x.raw("</wp:comment_content>\n")
	x.elem("wp:comment_approved", approved)
	x.elem("wp:comment_type", "comment")
	x.elem("wp:comment_parent", strconv.Itoa(x.ids[c.ParentID]))
	x.elem("wp:comment_user_id", "0")
	x.raw("</wp:comment>\n")
	return x.err
}

// cdata writes s as CDATA, splitting any "]]>" inside it.
func (x *WXRWriter) cdata(s string) {
	x.raw("<![CDATA[")
	for {
		i := indexCDATAEnd(s)
		if i < 0 {
			break
		}
		x.raw(s[:i+2] + "]]><![CDATA[")
		s = s[i+2:]
	}
	x.raw(s + "]]>")
}

func indexCDATAEnd(s string) int {
	for i := 0; i+3 <= len(s); i++ {
		if s[i] == ']' && s[i+1] == ']' && s[i+2] == '>' {
			return i
		}
	}
	return -1
}

func (x *WXRWriter) endItem() {
	if x.open {
		x.raw("</item>\n")
		x.open = false
	}
}

// Close ends the document and flushes it.
func (x *WXRWriter) Close() error {
	x.endItem()
	x.raw("</channel>\n</rss>\n")
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}
