package scim

import (
	"errors"
	"strings"
	"testing"

	"github.com/seamsso/seam/internal/store"
)

// render prints a condition tree compactly for comparison.
func render(c *store.SCIMCond) string {
	if c == nil {
		return ""
	}
	switch c.Kind {
	case store.SCIMAnd, store.SCIMOr:
		return "(" + render(c.Left) + " " + c.Kind + " " + render(c.Right) + ")"
	case store.SCIMNot:
		return "not " + render(c.Left)
	}
	if c.Attr == store.SCIMAttrActive && c.Op != store.SCIMPr {
		if c.Bool {
			return c.Attr + " " + c.Op + " true"
		}
		return c.Attr + " " + c.Op + " false"
	}
	return c.Attr + " " + c.Op + " " + c.Value
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		kind   resourceKind
		filter string
		want   string // "" with err set: an invalidFilter error
		err    bool
	}{
		{userResource, ``, "", false},
		{userResource, `userName eq "ada@example.com"`, "user_name eq ada@example.com", false},
		{userResource, `USERNAME Eq "x"`, "user_name eq x", false},
		{userResource, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, "user_name eq x", false},
		{userResource, `externalId eq "00u1"`, "external_id eq 00u1", false},
		{userResource, `emails.value co "@example"`, "email co @example", false},
		{userResource, `emails[value eq "a@b.c"]`, "email eq a@b.c", false},
		{userResource, `emails[type eq "work"]`, "", true},
		{userResource, `displayName sw "Ad" and active eq true`, "(display_name sw Ad and active eq true)", false},
		{userResource, `active eq "False"`, "active eq false", false},
		{userResource, `userName pr or not (externalId ew "1")`, "(user_name pr  or not external_id ew 1)", false},
		{userResource, `active co "t"`, "", true},
		{userResource, `userName gt "a"`, "", true},
		{userResource, `userName eq 5`, "", true},
		{userResource, `title eq "x"`, "", true},
		{userResource, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`, "", true},
		{userResource, `userName eq`, "", true},
		{userResource, `(userName eq "a"`, "", true},
		{userResource, `userName eq "a" and`, "", true},
		{groupResource, `displayName eq "Admins"`, "display_name eq Admins", false},
		{groupResource, `userName eq "a"`, "", true},
		{groupResource, `id eq "g1" and members[value eq "m1"]`, "(id eq g1 and member eq m1)", false},
		{groupResource, `members[value co "m"]`, "", true},
		{userResource, strings.Repeat(`userName eq "a" or `, 70) + `userName eq "a"`, "", true},
		{userResource, strings.Repeat("(", 3000), "", true},
	}
	for _, tc := range tests {
		got, err := parseFilter(tc.kind, tc.filter)
		if tc.err {
			var se *Error
			if !errors.As(err, &se) || se.Status != 400 || se.ScimType != TypeInvalidFilter {
				t.Errorf("%q: got %v, want invalidFilter", tc.filter, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.filter, err)
			continue
		}
		if r := render(got); r != tc.want {
			t.Errorf("%q: got %q, want %q", tc.filter, r, tc.want)
		}
	}
}
