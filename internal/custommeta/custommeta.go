// Package custommeta implements Stytch's update behaviour for metadata objects
// (trusted_metadata, untrusted_metadata): an update merges at the top level,
// replaces nested values whole, and deletes a top-level key sent as null.
package custommeta

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/seamsso/seam/internal/apierr"
)

// Limits on a stored metadata object.
const (
	MaxBytes   = 4096
	MaxTopKeys = 20
)

// Merge applies patch (a JSON object, or null for "no change") to old and
// returns the stored form. field names the request field in errors.
func Merge(field string, old, patch json.RawMessage) (json.RawMessage, error) {
	base := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(old)) > 0 {
		if err := json.Unmarshal(old, &base); err != nil {
			return nil, apierr.Internal(err)
		}
		if base == nil { // a stored JSON null
			base = map[string]json.RawMessage{}
		}
	}
	upd, err := object(field, patch)
	if err != nil {
		return nil, err
	}
	for k, v := range upd {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			delete(base, k)
			continue
		}
		base[k] = v
	}
	return encode(field, base)
}

// New validates a metadata object given at creation.
func New(field string, v json.RawMessage) (json.RawMessage, error) {
	m, err := object(field, v)
	if err != nil {
		return nil, err
	}
	for k, val := range m {
		if bytes.Equal(bytes.TrimSpace(val), []byte("null")) {
			delete(m, k)
		}
	}
	return encode(field, m)
}

func object(field string, v json.RawMessage) (map[string]json.RawMessage, error) {
	v = bytes.TrimSpace(v)
	m := map[string]json.RawMessage{}
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return m, nil
	}
	if v[0] != '{' || json.Unmarshal(v, &m) != nil {
		return nil, apierr.BadRequest("invalid_"+field, field+" must be a JSON object.")
	}
	return m, nil
}

func encode(field string, m map[string]json.RawMessage) (json.RawMessage, error) {
	if len(m) > MaxTopKeys {
		return nil, apierr.BadRequest("invalid_"+field, field+" may have at most "+strconv.Itoa(MaxTopKeys)+" top-level keys.")
	}
	b, err := json.Marshal(m) // sorted keys, compact
	if err != nil {
		return nil, apierr.Internal(err)
	}
	if len(b) > MaxBytes {
		return nil, apierr.BadRequest("invalid_"+field, field+" must be at most "+strconv.Itoa(MaxBytes)+" bytes of JSON.")
	}
	return b, nil
}
