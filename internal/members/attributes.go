package members

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// GroupsAttribute is the key of sso_attributes under which the login
// pipeline stores the IdP groups of the member's latest login, as a JSON
// array of strings. Group implicit role assignments match against it.
const GroupsAttribute = "groups"

// Limits on what a registration stores.
const (
	MaxGroups             = 1000
	MaxGroupLength        = 256
	MaxSSOAttributesBytes = 32 << 10
)

// SSOAttributes builds a registration's sso_attributes: the IdP attributes
// of the login with the groups under GroupsAttribute. When the attributes
// are larger than MaxSSOAttributesBytes only the groups are kept, so an IdP
// sending huge assertions cannot bloat the database; groups beyond MaxGroups
// or longer than MaxGroupLength are dropped.
func SSOAttributes(attributes map[string]any, groups []string) json.RawMessage {
	groups = boundGroups(groups)
	m := make(map[string]any, len(attributes)+1)
	for k, v := range attributes {
		if storable(k) {
			m[k] = storableValue(v)
		}
	}
	m[GroupsAttribute] = groups
	b, err := json.Marshal(m)
	if err != nil || len(b) > MaxSSOAttributesBytes {
		b, _ = json.Marshal(map[string]any{GroupsAttribute: groups})
	}
	return b
}

func boundGroups(groups []string) []string {
	out := []string{}
	for _, g := range groups {
		if len(out) == MaxGroups {
			break
		}
		if g != "" && len(g) <= MaxGroupLength && storable(g) {
			out = append(out, g)
		}
	}
	return out
}

// storable reports whether s can be stored on every backend: valid UTF-8
// without NUL (PostgreSQL refuses NUL in text and jsonb).
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// storableValue drops, at any depth, strings and keys that are not
// storable (an IdP attribute with NUL is not worth a failed login).
func storableValue(v any) any {
	switch x := v.(type) {
	case string:
		if !storable(x) {
			return ""
		}
	case []string:
		out := make([]string, 0, len(x))
		for _, s := range x {
			if storable(s) {
				out = append(out, s)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, storableValue(e))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if storable(k) {
				out[k] = storableValue(e)
			}
		}
		return out
	}
	return v
}

// GroupsFromAttributes reads the groups stored under GroupsAttribute; a
// single string counts as one group, anything else as none.
func GroupsFromAttributes(raw json.RawMessage) []string {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	v := m[GroupsAttribute]
	var list []string
	if json.Unmarshal(v, &list) == nil {
		return boundGroups(list)
	}
	var one string
	if json.Unmarshal(v, &one) == nil && one != "" {
		return boundGroups([]string{one})
	}
	return nil
}
