package scim

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

// FuzzParseFilter: any filter text is translated or refused with a SCIM
// 400, never a panic, and a translation only names known columns.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a"`, `emails[value co "x"] or not (active eq false)`, `((`, `a eq "\u0000"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "x" and externalId pr`, `displayName eq "a" and`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		for _, kind := range []resourceKind{userResource, groupResource} {
			c, err := parseFilter(kind, filter)
			if err != nil {
				var se *Error
				if !errors.As(err, &se) || se.Status != 400 {
					t.Fatalf("%q: %v", filter, err)
				}
				continue
			}
			checkCond(t, kind, c)
		}
	})
}

func checkCond(t *testing.T, kind resourceKind, c *store.SCIMCond) {
	if c == nil {
		return
	}
	if c.Left != nil || c.Right != nil {
		checkCond(t, kind, c.Left)
		checkCond(t, kind, c.Right)
		return
	}
	known := false
	for _, col := range filterAttrs[kind] {
		known = known || col == c.Attr
	}
	if !known {
		t.Fatalf("unknown column %q", c.Attr)
	}
}

// FuzzApplyPatch: any PatchOp body is applied or refused with a SCIM 4xx,
// never a panic, and what it leaves normalizes or is refused.
func FuzzApplyPatch(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"x","active":"False"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[value eq \"a\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"phoneNumbers[type eq \"work\"].value","value":"1"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"m"}]}]}`,
		`{"Operations":[]}`, `[]`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := parsePatch(body)
		if err != nil {
			return
		}
		for _, attrs := range []map[string]attrSpec{userAttrs, groupAttrs} {
			res := map[string]any{"userName": "u", "displayName": "g", "emails": []any{map[string]any{"value": "a@b.c"}},
				"members": []any{map[string]any{"value": "m1"}}}
			if err := applyPatch(res, attrs, true, ops); err != nil {
				var se *Error
				if !errors.As(err, &se) || se.Status >= 500 {
					t.Fatalf("%s: %v", body, err)
				}
				continue
			}
			if out, err := normalize(res, attrs, true); err == nil {
				if _, err := json.Marshal(out); err != nil {
					t.Fatalf("normalized resource does not encode: %v", err)
				}
			}
		}
	})
}
