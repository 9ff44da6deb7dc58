// Package opt provides a JSON field type that remembers whether it was present
// in the request body. Stytch's update endpoints are partial: a field that is
// absent stays unchanged, while an explicit false, "" or null is a change.
package opt

import (
	"bytes"
	"encoding/json"
)

// Value holds a decoded JSON field. Set is true when the key was present in
// the object; Null is true when its value was JSON null.
type Value[T any] struct {
	Set  bool
	Null bool
	V    T
}

// Of returns a present, non-null value.
func Of[T any](v T) Value[T] { return Value[T]{Set: true, V: v} }

// UnmarshalJSON is only called by encoding/json when the key is present.
func (o *Value[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		var zero T
		o.V = zero
		return nil
	}
	o.Null = false
	return json.Unmarshal(b, &o.V)
}

// MarshalJSON writes the value, or null when it is absent or null, so that
// test clients can build bodies with the same type.
func (o Value[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// Has reports whether the field was present with a non-null value.
func (o Value[T]) Has() bool { return o.Set && !o.Null }

// Or returns the value when present and non-null, else def.
func (o Value[T]) Or(def T) T {
	if o.Has() {
		return o.V
	}
	return def
}

// Apply stores the value into *dst when the field was present. A JSON null
// resets *dst to the zero value.
func (o Value[T]) Apply(dst *T) {
	if o.Set {
		*dst = o.V
	}
}
