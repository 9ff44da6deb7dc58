package organizations

import (
	"slices"
	"testing"

	"github.com/seamsso/seam/internal/search/searchtest"
	"github.com/seamsso/seam/internal/store"
)

// TestOrgSearchQuery: the organization search's declaration, through the
// search driver: every filter takes a string or a list, a repeated filter
// narrows by intersection, the fuzzy name filter appears once, and OR is
// taken only with one operand.
func TestOrgSearchQuery(t *testing.T) {
	cases := []struct {
		query    string
		wantType string
		check    func(f store.OrganizationFilter) bool
	}{
		{`{"operands":[{"filter_name":"organization_ids","filter_value":"o1"},{"filter_name":"organization_slugs","filter_value":["s1","s2"]},{"filter_name":"organization_external_ids","filter_value":["e"]}]}`, "",
			func(f store.OrganizationFilter) bool {
				return slices.Equal(f.IDs, []string{"o1"}) && slices.Equal(f.Slugs, []string{"s1", "s2"}) && slices.Equal(f.ExternalIDs, []string{"e"})
			}},
		{`{"operands":[{"filter_name":"organization_slugs","filter_value":["a","b"]},{"filter_name":"organization_slugs","filter_value":["b","c"]}]}`, "",
			func(f store.OrganizationFilter) bool { return slices.Equal(f.Slugs, []string{"b"}) }},
		{`{"operands":[{"filter_name":"organization_ids","filter_value":["a"]},{"filter_name":"organization_ids","filter_value":["b"]}]}`, "",
			func(f store.OrganizationFilter) bool { return slices.Equal(f.IDs, []string{"\x00"}) }},
		{`{"operands":[{"filter_name":"organization_name_fuzzy","filter_value":["ac","be"]}]}`, "",
			func(f store.OrganizationFilter) bool { return slices.Equal(f.NameFuzzy, []string{"ac", "be"}) }},
		{`{"operator":"OR","operands":[{"filter_name":"organization_ids","filter_value":"o"}]}`, "",
			func(f store.OrganizationFilter) bool { return slices.Equal(f.IDs, []string{"o"}) }},
		{`{"operator":"OR","operands":[{"filter_name":"organization_ids","filter_value":"o"},{"filter_name":"organization_ids","filter_value":"p"}]}`, "organization_search_invalid_operator", nil},
		{`{"operands":[{"filter_name":"organization_name_fuzzy","filter_value":"a"},{"filter_name":"organization_name_fuzzy","filter_value":"b"}]}`, "organization_search_duplicate_filter", nil},
		{`{"operands":[{"filter_name":"organization_ids","filter_value":[]}]}`, "organization_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"organization_ids","filter_value":{}}]}`, "organization_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"member_ids","filter_value":["m"]}]}`, "organization_search_invalid_filter_name", nil},
	}
	for _, c := range cases {
		searchtest.Check(t, orgSearch(), c.query, c.wantType, c.check)
	}
}
