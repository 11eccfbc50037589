package parley_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/parley-comments/parley"
)

func TestErrorCodesMessagesAndStatuses(t *testing.T) {
	t.Parallel()
	inner := parley.WrapError(parley.ENOTFOUND, "Comment not found.", errors.New("sql: no rows"))
	wrapped := fmt.Errorf("loading: %w", inner)
	if parley.ErrorCode(wrapped) != parley.ENOTFOUND || parley.ErrorMessage(wrapped) != "Comment not found." {
		t.Fatalf("wrapped error: %q %q", parley.ErrorCode(wrapped), parley.ErrorMessage(wrapped))
	}
	plain := errors.New("connection refused to 10.0.0.5")
	if parley.ErrorCode(plain) != parley.EINTERNAL || parley.ErrorMessage(plain) == plain.Error() {
		t.Fatal("an internal error's detail would be shown")
	}
	if parley.ErrorCode(nil) != "" || parley.IsCode(nil, parley.EINTERNAL) {
		t.Fatal("nil is not an error")
	}
	for code, want := range map[string]int{
		parley.EMALFORMED: 400, parley.EUNAUTHORIZED: 401, parley.EFORBIDDEN: 403, parley.ESANCTIONED: 403,
		parley.ENOTFOUND: 404, parley.ECONFLICT: 409, parley.EDUPLICATE: 409, parley.ETOOLARGE: 413, parley.EMEDIATYPE: 415,
		parley.EINVALID: 422, parley.ECLOSED: 422, parley.ERATELIMITED: 429, parley.EINTERNAL: 500,
		parley.EUNAVAILABLE: http.StatusServiceUnavailable, "something new": 500,
	} {
		if got := parley.HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestSettingsDefaults(t *testing.T) {
	t.Parallel()
	s := parley.Settings{}.WithDefaults()
	if s.Mode != parley.ModePre || s.EditWindow.Std() != parley.DefaultEditWindow || s.MaxLinks != parley.DefaultMaxLinks || len(s.AutoReject) != 0 || s.AutoApproveTrusted != 0 {
		t.Fatalf("defaults: %+v", s)
	}
}

func TestErrorMessageKeys(t *testing.T) {
	t.Parallel()
	e := parley.Errorf(parley.EINVALID, "%s is at most %d.", "limit", 500)
	if key, args := e.MessageKey(); e.Message != "limit is at most 500." || key != "%s is at most %d." || len(args) != 2 {
		t.Fatalf("Errorf: %q %q %v", e.Message, key, args)
	}
	w := parley.WrapErrorf(parley.EINVALID, errors.New("cause"), "Cannot read %s.", "f.db")
	if key, _ := w.MessageKey(); key != "Cannot read %s." || w.Message != "Cannot read f.db." || w.Unwrap() == nil {
		t.Fatalf("WrapErrorf: %+v", w)
	}
	if key, args := parley.WrapError(parley.ENOTFOUND, "Story not found.", nil).MessageKey(); key != "Story not found." || args != nil {
		t.Fatalf("WrapError's key: %q %v", key, args)
	}
	k := parley.WrapError(parley.ECONFLICT, "Site already exists.", nil).WithKey("This already exists.")
	if key, _ := k.MessageKey(); key != "This already exists." || k.Message != "Site already exists." {
		t.Fatalf("WithKey: %+v", k)
	}
}
