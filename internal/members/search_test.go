package members

import (
	"testing"

	"github.com/seamsso/seam/internal/search/searchtest"
	"github.com/seamsso/seam/internal/store"
)

func TestApplyQuery(t *testing.T) {
	cases := []struct {
		query    string
		wantType string
		check    func(f store.MemberFilter) bool
	}{
		{`{"operator":"AND","operands":[]}`, "", func(f store.MemberFilter) bool { return !f.Any && len(f.Conditions) == 0 }},
		{`{"operator":"or","operands":[{"filter_name":"member_ids","filter_value":["m"]}]}`, "", func(f store.MemberFilter) bool {
			return f.Any && f.Conditions[0].Kind == store.MemberByIDs && f.Conditions[0].Values[0] == "m"
		}},
		{`{"operands":[{"filter_name":"member_email_fuzzy","filter_value":"ad"},{"filter_name":"member_is_breakglass","filter_value":false}]}`, "",
			func(f store.MemberFilter) bool {
				return f.Conditions[0].Kind == store.MemberByEmailFuzzy && f.Conditions[0].Values[0] == "ad" &&
					f.Conditions[1].Kind == store.MemberByBreakglass && !f.Conditions[1].Bool
			}},
		{`{"operator":"NOT"}`, "member_search_invalid_operator", nil},
		{`{"operands":[{"filter_name":"nope","filter_value":[]}]}`, "member_search_invalid_filter_name", nil},
		{`{"operands":[{"filter_name":"member_ids","filter_value":[]}]}`, "member_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"member_ids","filter_value":"m"}]}`, "member_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"member_email_fuzzy","filter_value":""}]}`, "member_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"member_email_fuzzy","filter_value":["x"]}]}`, "member_search_invalid_filter_value", nil},
		{`{"operands":[{"filter_name":"member_is_breakglass","filter_value":"true"}]}`, "member_search_invalid_filter_value", nil},
		{`{"operands":[` + repeatOperand(21) + `]}`, "member_search_too_many_operands", nil},
	}
	for _, c := range cases {
		searchtest.Check(t, memberSearch(), c.query, c.wantType, c.check)
	}
}

func repeatOperand(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		if i > 0 {
			s += ","
		}
		s += `{"filter_name":"member_ids","filter_value":["m"]}`
	}
	return s
}
