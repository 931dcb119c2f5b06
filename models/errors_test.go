package models

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorKinds(t *testing.T) {
	cause := errors.New("disk on fire")
	tests := []struct {
		name string
		err  error
		kind Kind
		is   error
	}{
		{"sentinel", ErrNotFound, KindNotFound, ErrNotFound},
		{"formatted", Errorf(KindConflict, "username %q is taken", "li"), KindConflict, ErrConflict},
		{"wrapped by fmt", fmt.Errorf("load user: %w", Wrap(KindUnavailable, "database unavailable", cause)), KindUnavailable, ErrUnavailable},
		{"plain error", cause, KindInternal, nil},
		{"invalid with fields", Invalid("bad input", map[string]string{"title": "required"}), KindInvalid, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.kind {
				t.Fatalf("KindOf = %q, want %q", got, tt.kind)
			}
			if tt.is != nil && !errors.Is(tt.err, tt.is) {
				t.Fatalf("errors.Is(%v, %v) = false", tt.err, tt.is)
			}
			if tt.is != nil && errors.Is(tt.err, ErrForbidden) && tt.kind != KindForbidden {
				t.Fatalf("%v must not match ErrForbidden", tt.err)
			}
		})
	}
	wrapped := Wrap(KindUnavailable, "database unavailable", cause)
	if !errors.Is(wrapped, cause) {
		t.Fatal("Wrap must keep the cause in the chain")
	}
	if wrapped.Message != "database unavailable" {
		t.Fatalf("the cause leaked into the message: %q", wrapped.Message)
	}
}
