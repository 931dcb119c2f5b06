package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"leitai/models"
)

// mapError turns driver errors into models' error kinds: a missing row is
// not_found, a unique violation is conflict, a lost or refused connection
// is unavailable. Errors that already carry a kind pass through unchanged.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var me *models.Error
	if errors.As(err, &me) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &models.Error{Kind: models.KindNotFound, Message: "not found", Err: err}
	}
	if isUnique(err) {
		return &models.Error{Kind: models.KindConflict, Message: "already exists", Err: err}
	}
	if isUnavailable(err) {
		return &models.Error{Kind: models.KindUnavailable, Message: "database unavailable", Err: err}
	}
	return err
}

func isUnique(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func isUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: the server is shutting
		// down or not yet accepting connections; 53300: too many clients.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "unexpected EOF")
}
