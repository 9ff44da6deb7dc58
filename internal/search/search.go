// Package search holds what Stytch's search endpoints share: the
// {operator, operands} query shape, the limit rule, opaque keyset cursors
// over (created_at, id), and the one driver (Run) every search goes
// through. A searchable resource (members, organizations) is declared as
// data (Resource: its filters and their value shapes, its operator rules);
// it does not have a search procedure of its own.
package search

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/seamsso/seam/internal/apierr"
)

// Query is Stytch's {operator, operands} search expression.
type Query struct {
	Operator string    `json:"operator"`
	Operands []Operand `json:"operands"`
}

// Operand is one filter; the shape of filter_value depends on the filter.
type Operand struct {
	FilterName  string          `json:"filter_name"`
	FilterValue json.RawMessage `json:"filter_value"`
}

// Limits of every search.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Limit applies the default and checks the maximum; prefix is the error
// type prefix of the endpoint ("organization_search", "member_search").
func Limit(limit int, prefix string) (int, error) {
	switch {
	case limit < 0 || limit > MaxLimit:
		return 0, apierr.BadRequest(prefix+"_invalid_limit", "limit must be between 1 and 1000.")
	case limit == 0:
		return DefaultLimit, nil
	}
	return limit, nil
}

// Cursor is a keyset position: the last row of the previous page.
type Cursor struct {
	CreatedAt time.Time `json:"c"`
	ID        string    `json:"i"`
}

// Decode reads a cursor returned by a previous page; "" is the first page.
func Decode(s, prefix string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 512 || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, apierr.BadRequest(prefix+"_invalid_cursor", "cursor is not a cursor returned by a previous search.")
	}
	return c, nil
}

func encode(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Page trims rows, fetched with limit+1, to limit and returns the cursor of
// the next page ("" when there is none).
func Page[T any](rows []T, limit int, key func(T) (time.Time, string)) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	at, id := key(rows[limit-1])
	return rows, encode(Cursor{CreatedAt: at, ID: id})
}
