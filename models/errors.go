// Package models holds Leitai's domain nouns, their validation and state
// machines, and the error kinds every layer speaks. It imports the standard
// library only.
package models

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that the HTTP layer can map it to a status
// code in exactly one place.
type Kind string

// The error kinds. Their string values are the `code` of the HTTP error
// contract.
const (
	KindInvalid          Kind = "invalid"
	KindUnauthenticated  Kind = "unauthenticated"
	KindForbidden        Kind = "forbidden"
	KindNotFound         Kind = "not_found"
	KindConflict         Kind = "conflict"
	KindTooLarge         Kind = "too_large"
	KindUnsupportedMedia Kind = "unsupported_media"
	KindRateLimited      Kind = "rate_limited"
	KindUnavailable      Kind = "unavailable"
	KindInternal         Kind = "internal"
)

// Sentinel errors, one per kind, for errors.Is checks.
var (
	ErrInvalid          = &Error{Kind: KindInvalid, Message: "invalid input"}
	ErrUnauthenticated  = &Error{Kind: KindUnauthenticated, Message: "authentication required"}
	ErrForbidden        = &Error{Kind: KindForbidden, Message: "forbidden"}
	ErrNotFound         = &Error{Kind: KindNotFound, Message: "not found"}
	ErrConflict         = &Error{Kind: KindConflict, Message: "conflict"}
	ErrTooLarge         = &Error{Kind: KindTooLarge, Message: "too large"}
	ErrUnsupportedMedia = &Error{Kind: KindUnsupportedMedia, Message: "unsupported media type"}
	ErrRateLimited      = &Error{Kind: KindRateLimited, Message: "too many requests"}
	ErrUnavailable      = &Error{Kind: KindUnavailable, Message: "service unavailable"}
)

// Error is a domain error: a kind, a message meant for the user, optional
// per-field problems, and an optional wrapped cause that is only logged.
type Error struct {
	Kind    Kind
	Message string
	// Fields names the offending input fields and what is wrong with each.
	Fields map[string]string
	// RetryAfterSeconds is set for rate_limited errors.
	RetryAfterSeconds int
	// Err is the underlying cause; it is logged, never shown to users.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, models.ErrNotFound) matches every not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind
}

// Errorf returns an *Error of the given kind whose user-facing message is
// the formatted text. Causes that must stay out of the message go through
// Wrap.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of the given kind with a user-facing message and a
// cause that is kept for logs and errors.Is, never shown to users.
func Wrap(kind Kind, message string, cause error) *Error {
	return &Error{Kind: kind, Message: message, Err: cause}
}

// Invalid returns an invalid-input error naming problems per field.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Message: message, Fields: fields}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or KindInternal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
