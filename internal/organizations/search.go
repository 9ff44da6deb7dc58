package organizations

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/store"
)

// SearchParams is the body of POST /v1/b2b/organizations/search.
type SearchParams struct {
	Cursor string        `json:"cursor"`
	Limit  int           `json:"limit"`
	Query  *search.Query `json:"query"`
}

// SearchResult is one page of organizations.
type SearchResult struct {
	Organizations []*store.Organization
	Total         int
	NextCursor    string // "" when there are no more results
}

const errPrefix = "organization_search"

// Search runs a search within the project.
func (s *Service) Search(ctx context.Context, projectID string, p SearchParams) (*SearchResult, error) {
	limit, err := search.Limit(p.Limit, errPrefix)
	if err != nil {
		return nil, err
	}
	c, err := search.Decode(p.Cursor, errPrefix)
	if err != nil {
		return nil, err
	}
	// One extra row tells whether another page exists.
	f := store.OrganizationFilter{ProjectID: projectID, Limit: limit + 1, AfterCreated: c.CreatedAt, AfterID: c.ID}
	if p.Query != nil {
		if err := applyQuery(&f, p.Query); err != nil {
			return nil, err
		}
	}
	orgs, total, err := s.Store.SearchOrganizations(ctx, f)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	res := &SearchResult{Total: total}
	res.Organizations, res.NextCursor = search.Page(orgs, limit, func(o *store.Organization) (time.Time, string) { return o.CreatedAt, o.ID })
	return res, nil
}

func applyQuery(f *store.OrganizationFilter, q *search.Query) error {
	op := strings.ToUpper(q.Operator)
	if op != "" && op != "AND" && op != "OR" {
		return apierr.BadRequest("organization_search_invalid_operator", "query.operator must be AND or OR.")
	}
	if op == "OR" && len(q.Operands) > 1 {
		return apierr.BadRequest("organization_search_invalid_operator",
			"query.operator OR is deprecated by Stytch and supported here only with a single operand; use AND.")
	}
	for _, o := range q.Operands {
		// The SDK types fuzzy filters as a single string and the others as
		// lists; accept either form for every filter.
		var vals []string
		var one string
		if json.Unmarshal(o.FilterValue, &one) == nil {
			vals = []string{one}
		} else if err := json.Unmarshal(o.FilterValue, &vals); err != nil {
			return apierr.BadRequest("organization_search_invalid_filter_value",
				"filter_value of "+apierr.Quote(o.FilterName)+" must be a string or a list of strings.")
		}
		if len(vals) == 0 {
			return apierr.BadRequest("organization_search_invalid_filter_value",
				"filter_value of "+apierr.Quote(o.FilterName)+" must not be empty.")
		}
		switch o.FilterName {
		case "organization_ids":
			f.IDs = intersect(f.IDs, vals)
		case "organization_slugs":
			f.Slugs = intersect(f.Slugs, vals)
		case "organization_external_ids":
			f.ExternalIDs = intersect(f.ExternalIDs, vals)
		case "organization_name_fuzzy":
			if len(f.NameFuzzy) > 0 {
				return apierr.BadRequest("organization_search_duplicate_filter", "organization_name_fuzzy may appear once.")
			}
			f.NameFuzzy = vals
		default:
			return apierr.BadRequest("organization_search_invalid_filter_name",
				"Unsupported filter_name "+apierr.Quote(o.FilterName)+"; supported: organization_ids, organization_slugs, organization_external_ids, organization_name_fuzzy.")
		}
	}
	return nil
}

// intersect combines a repeated filter with AND semantics; an empty result
// is represented by a value no row can have.
func intersect(prev, next []string) []string {
	if prev == nil {
		return next
	}
	var out []string
	for _, p := range prev {
		for _, n := range next {
			if p == n {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return []string{"\x00"}
	}
	return out
}
