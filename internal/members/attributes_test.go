package members

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSSOAttributesAndGroups(t *testing.T) {
	raw := SSOAttributes(map[string]any{"department": []string{"eng"}, "groups": "overridden"}, []string{"a", "", strings.Repeat("x", 300), "b"})
	if string(raw) != `{"department":["eng"],"groups":["a","b"]}` {
		t.Errorf("attributes = %s", raw)
	}
	if g := GroupsFromAttributes(raw); !slices.Equal(g, []string{"a", "b"}) {
		t.Errorf("groups = %v", g)
	}
	// Oversized attributes keep only the groups.
	big := SSOAttributes(map[string]any{"blob": strings.Repeat("z", MaxSSOAttributesBytes)}, []string{"g"})
	if string(big) != `{"groups":["g"]}` {
		t.Errorf("oversized attributes = %.80s", big)
	}
	many := make([]string, MaxGroups+10)
	for i := range many {
		many[i] = fmt.Sprint("g", i)
	}
	if n := len(GroupsFromAttributes(SSOAttributes(nil, many))); n != MaxGroups {
		t.Errorf("kept %d groups, want %d", n, MaxGroups)
	}
	cases := []struct {
		raw  string
		want []string
	}{
		{`{"groups":"solo"}`, []string{"solo"}},
		{`{"groups":["x",1]}`, nil},
		{`{"groups":null}`, nil},
		{`{}`, nil},
		{``, nil},
		{`[1]`, nil},
		{`{"groups":[]}`, []string{}},
	}
	for _, c := range cases {
		if got := GroupsFromAttributes(json.RawMessage(c.raw)); !slices.Equal(got, c.want) {
			t.Errorf("GroupsFromAttributes(%s) = %v, want %v", c.raw, got, c.want)
		}
	}
}

func TestSSOFactorConnections(t *testing.T) {
	cases := []struct {
		raw  string
		want []string
	}{
		{`[]`, nil},
		{`[{"type":"impersonated"}]`, nil},
		{`[{"type":"sso","saml_sso_factor":{"provider_id":"c1"}},{"type":"sso","oidc_sso_factor":{"provider_id":"c2"}},
		   {"type":"sso","saml_sso_factor":{"provider_id":"c1"}},{"saml_sso_factor":{"provider_id":""}}]`, []string{"c1", "c2"}},
		{`{"not":"a list"}`, nil},
		{`garbage`, nil},
	}
	for _, c := range cases {
		if got := SSOFactorConnections(json.RawMessage(c.raw)); !slices.Equal(got, c.want) {
			t.Errorf("SSOFactorConnections(%s) = %v, want %v", c.raw, got, c.want)
		}
	}
}
