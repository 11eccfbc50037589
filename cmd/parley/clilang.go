package main

import (
	"context"
	"errors"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
)

// The command line speaks the reader's language: every message it prints
// for people (not JSON, CSV or tables of figures) comes from the catalog's
// cli.* keys (i18n/locales/<lang>/cli.json), in the language chosen by
// --lang, else PARLEY_LANG, else the POSIX locale (LC_ALL, LC_MESSAGES,
// LANG), else English. docs/i18n.md lists the order.

// cliLang returns the language for the command line: flag (from --lang)
// when it is set, else the first of the environment variables that names
// one of the interface languages ("ru_RU.UTF-8" → "ru"; "C" and "POSIX"
// are English). An unknown --lang is an error.
func cliLang(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		if l := i18n.Match(flag); l != "" {
			return l, nil
		}
		names := make([]string, 0, 5)
		for _, l := range i18n.Languages() {
			names = append(names, l.Code)
		}
		return "", errors.New("--lang must be one of " + strings.Join(names, ", "))
	}
	for _, v := range []string{"PARLEY_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		val := getenv(v)
		if val == "" {
			continue
		}
		// POSIX: the first one set decides, even when it is not ours.
		tag, _, _ := strings.Cut(val, ".")
		if l := i18n.Match(tag); l != "" {
			return l, nil
		}
		if v != "PARLEY_LANG" {
			return i18n.Fallback, nil
		}
	}
	return i18n.Fallback, nil
}

// takeLangFlag removes --lang X / --lang=X (one or two dashes) from args,
// wherever it is before a "--", and returns its value and the rest.
func takeLangFlag(args []string) (string, []string, error) {
	var lang string
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "lang" {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", nil, errors.New("--lang needs a language: en, ru, hy, az or tr")
			}
			i++
			val = args[i]
		}
		lang = val
	}
	return lang, rest, nil
}

// messages prints the command line's text in one language.
type messages struct {
	cat  *i18n.Catalog
	lang string
}

type messagesKey struct{}

// withMessages returns ctx carrying m.
func withMessages(ctx context.Context, m *messages) context.Context {
	return context.WithValue(ctx, messagesKey{}, m)
}

// msgs returns the messages in ctx, or English ones.
func msgs(ctx context.Context) *messages {
	if m, ok := ctx.Value(messagesKey{}).(*messages); ok {
		return m
	}
	cat, err := i18n.Load()
	if err != nil {
		panic(err) // the embedded catalog is checked by go test ./i18n
	}
	return &messages{cat: cat, lang: i18n.Fallback}
}

// tr is the message for key in the command's language, formatted with args.
func tr(ctx context.Context, key string, args ...any) string {
	m := msgs(ctx)
	return m.cat.T(m.lang, key, args...)
}

// cliErr is an error whose text comes from the catalog; it wraps the first
// error among args, so errors.Is and errors.As see through it.
type cliErr struct {
	msg  string
	wrap error
}

func (e *cliErr) Error() string { return e.msg }
func (e *cliErr) Unwrap() error { return e.wrap }

// errorf returns an error with the message for key, formatted with args
// (an error argument prints as its text: use %v for it in the catalog).
func errorf(ctx context.Context, key string, args ...any) error {
	e := &cliErr{msg: tr(ctx, key, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok {
			e.wrap = err
			break
		}
	}
	return e
}

// localizeError is what the terminal shows for err: an application error's
// safe message in the command's language (the catalog's errors.json), in
// place of its English text and internal cause. Errors already in the
// command's language (errorf), internal errors (whose detail is what an
// operator needs) and others pass through.
func localizeError(ctx context.Context, err error) error {
	var ce *cliErr
	var pe *parley.Error
	if err == nil || errors.As(err, &ce) || !errors.As(err, &pe) || pe.Code == parley.EINTERNAL {
		return err
	}
	m := msgs(ctx)
	return &cliErr{msg: m.cat.ErrorMessage(m.lang, err), wrap: err}
}
