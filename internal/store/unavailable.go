package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err means the database could not be
// reached or dropped the connection (refused, reset, closed, shut down),
// as opposed to a query that the database answered with an error. Callers
// answer such failures with 503 and Retry-After: the request may succeed
// once the database is back.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.As(err, &op), errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// PostgreSQL: SQLSTATE class 08 (connection exception) and 57P01-57P03
	// (admin or crash shutdown, cannot connect now), read through the
	// driver's SQLState method so this package does not import the driver.
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		code := st.SQLState()
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03"
	}
	// pgx reports a connection it closed after a failure by message only.
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "failed to connect to")
}
