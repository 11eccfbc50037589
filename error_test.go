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
