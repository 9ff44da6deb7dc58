package members

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/store"
)

// SearchParams is the body of POST /v1/b2b/organizations/members/search.
// A filter_value is a list of strings, a string (fuzzy filters) or a
// boolean (member_is_breakglass).
type SearchParams struct {
	OrganizationIDs []string      `json:"organization_ids"`
	Cursor          string        `json:"cursor"`
	Limit           int           `json:"limit"`
	Query           *search.Query `json:"query"`
}

// SearchResult is one page of members.
type SearchResult struct {
	Members    []*store.Member
	Total      int
	NextCursor string // "" when there are no more results
}

// Search limits.
const (
	MaxSearchOrganizations = 100
	maxOperands            = 20
	maxFilterValues        = 1000
)

const errPrefix = "member_search"

// filterSpec maps Stytch's member filter names to store conditions and
// the JSON shape of their values ("list", "string" or "bool").
func filterSpec(name string) (kind, shape string, ok bool) {
	switch name {
	case "member_ids":
		return store.MemberByIDs, "list", true
	case "member_emails":
		return store.MemberByEmails, "list", true
	case "member_email_fuzzy":
		return store.MemberByEmailFuzzy, "string", true
	case "member_external_ids":
		return store.MemberByExternalIDs, "list", true
	case "statuses":
		return store.MemberByStatuses, "list", true
	case "member_is_breakglass":
		return store.MemberByBreakglass, "bool", true
	case "member_phone_numbers":
		return store.MemberByPhones, "list", true
	case "member_phone_number_fuzzy":
		return store.MemberByPhoneFuzzy, "string", true
	case "member_roles":
		return store.MemberByRoles, "list", true
	}
	return "", "", false
}

// Search runs a member search over organizations of the project, whose IDs
// the caller has resolved (orgIDs). A member session needs stytch.member
// search in each of them (so only its own organization).
func (s *Service) Search(ctx context.Context, pr rbac.Principal, projectID string, orgIDs []string, p SearchParams) (*SearchResult, error) {
	for _, id := range orgIDs {
		if err := pr.Require(id, "", rbac.Need{Resource: rbac.ResourceMember, Action: "search"}); err != nil {
			return nil, err
		}
	}
	limit, err := search.Limit(p.Limit, errPrefix)
	if err != nil {
		return nil, err
	}
	c, err := search.Decode(p.Cursor, errPrefix)
	if err != nil {
		return nil, err
	}
	// One extra row tells whether another page exists.
	f := store.MemberFilter{ProjectID: projectID, OrganizationIDs: orgIDs, ExcludeStatuses: HiddenStatuses(),
		Limit: limit + 1, AfterCreated: c.CreatedAt, AfterID: c.ID}
	if p.Query != nil {
		if err := applyQuery(&f, p.Query); err != nil {
			return nil, err
		}
	}
	ms, total, err := s.Store.SearchMembers(ctx, f)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	res := &SearchResult{Total: total}
	res.Members, res.NextCursor = search.Page(ms, limit, func(m *store.Member) (time.Time, string) { return m.CreatedAt, m.ID })
	return res, nil
}

func applyQuery(f *store.MemberFilter, q *search.Query) error {
	switch strings.ToUpper(q.Operator) {
	case "", "AND":
	case "OR":
		f.Any = true
	default:
		return apierr.BadRequest("member_search_invalid_operator", "query.operator must be AND or OR.")
	}
	if len(q.Operands) > maxOperands {
		return apierr.BadRequest("member_search_too_many_operands", "query.operands may hold at most 20 filters.")
	}
	for _, o := range q.Operands {
		kind, shape, ok := filterSpec(o.FilterName)
		if !ok {
			return apierr.BadRequest("member_search_invalid_filter_name",
				"Unsupported filter_name "+apierr.Quote(o.FilterName)+"; supported: member_ids, member_emails, member_email_fuzzy, "+
					"member_external_ids, statuses, member_is_breakglass, member_phone_numbers, member_phone_number_fuzzy, member_roles.")
		}
		c := store.MemberCondition{Kind: kind}
		bad := apierr.BadRequest("member_search_invalid_filter_value", "filter_value of "+apierr.Quote(o.FilterName)+" must be "+
			map[string]string{"list": "a non-empty list of strings", "string": "a non-empty string", "bool": "a boolean"}[shape]+".")
		switch shape {
		case "list":
			if json.Unmarshal(o.FilterValue, &c.Values) != nil || len(c.Values) == 0 || len(c.Values) > maxFilterValues {
				return bad
			}
		case "string":
			var v string
			if json.Unmarshal(o.FilterValue, &v) != nil || v == "" || len(v) > 256 {
				return bad
			}
			c.Values = []string{v}
		case "bool":
			if json.Unmarshal(o.FilterValue, &c.Bool) != nil {
				return bad
			}
		}
		f.Conditions = append(f.Conditions, c)
	}
	return nil
}
