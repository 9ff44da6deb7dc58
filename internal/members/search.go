package members

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/store"
)

// SearchParams is the body of POST /v1/b2b/organizations/members/search.
// A filter_value is a list of strings, a string (fuzzy filters) or a
// boolean (member_is_breakglass).
type SearchParams struct {
	OrganizationIDs []string `json:"organization_ids"`
	search.Request
}

// MaxSearchOrganizations bounds organization_ids.
const MaxSearchOrganizations = 100

// memberSearch is Stytch's member search, declared for the search driver:
// each filter_name, the shape of its value and the store condition it adds.
func memberSearch() *search.Resource[*store.Member, store.MemberFilter] {
	cond := func(name string, shape search.Shape, kind string) search.Filter[store.MemberFilter] {
		return search.Filter[store.MemberFilter]{Name: name, Shape: shape, Apply: func(f *store.MemberFilter, v search.Value) {
			f.Conditions = append(f.Conditions, store.MemberCondition{Kind: kind, Values: v.Strings, Bool: v.Bool})
		}}
	}
	return &search.Resource[*store.Member, store.MemberFilter]{
		Prefix: "member_search",
		Filters: []search.Filter[store.MemberFilter]{
			cond("member_ids", search.List, store.MemberByIDs),
			cond("member_emails", search.List, store.MemberByEmails),
			cond("member_email_fuzzy", search.String, store.MemberByEmailFuzzy),
			cond("member_external_ids", search.List, store.MemberByExternalIDs),
			cond("statuses", search.List, store.MemberByStatuses),
			cond("member_is_breakglass", search.Bool, store.MemberByBreakglass),
			cond("member_phone_numbers", search.List, store.MemberByPhones),
			cond("member_phone_number_fuzzy", search.String, store.MemberByPhoneFuzzy),
			cond("member_roles", search.List, store.MemberByRoles),
		},
		MaxOperands: 20,
		Or:          func(f *store.MemberFilter) { f.Any = true },
		Keyset:      func(f *store.MemberFilter) *store.Keyset { return &f.Keyset },
		Key:         func(m *store.Member) (time.Time, string) { return m.CreatedAt, m.ID },
	}
}

// Search runs a member search over organizations of the project, whose IDs
// the caller has resolved (orgIDs). A member session needs stytch.member
// search in each of them (so only its own organization).
func (s *Service) Search(ctx context.Context, pr rbac.Principal, projectID string, orgIDs []string, p SearchParams) (*search.Result[*store.Member], error) {
	for _, id := range orgIDs {
		if err := pr.Require(id, "", rbac.Need{Resource: rbac.ResourceMember, Action: "search"}); err != nil {
			return nil, err
		}
	}
	f := store.MemberFilter{ProjectID: projectID, OrganizationIDs: orgIDs, ExcludeStatuses: HiddenStatuses()}
	return search.Run(ctx, memberSearch(), p.Request, f, s.Store.SearchMembers)
}

// SearchErrorTypes are the error types the search driver can refuse a
// member search with (400s), for the API description.
func SearchErrorTypes() []string { return memberSearch().ErrorTypes() }
