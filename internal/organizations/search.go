package organizations

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// SearchParams is the body of POST /v1/b2b/organizations/search.
type SearchParams struct {
	Cursor string       `json:"cursor"`
	Limit  int          `json:"limit"`
	Query  *SearchQuery `json:"query"`
}

// SearchQuery is Stytch's {operator, operands} search expression.
type SearchQuery struct {
	Operator string    `json:"operator"`
	Operands []Operand `json:"operands"`
}

// Operand is one filter; filter_value is a list of strings for every filter
// this server supports.
type Operand struct {
	FilterName  string          `json:"filter_name"`
	FilterValue json.RawMessage `json:"filter_value"`
}

// SearchResult is one page of organizations.
type SearchResult struct {
	Organizations []*store.Organization
	Total         int
	NextCursor    string // "" when there are no more results
}

const maxLimit = 1000

type cursor struct {
	CreatedAt time.Time `json:"c"`
	ID        string    `json:"i"`
}

// Search runs a search within the project.
func (s *Service) Search(ctx context.Context, projectID string, p SearchParams) (*SearchResult, error) {
	f := store.OrganizationFilter{ProjectID: projectID, Limit: p.Limit}
	if p.Limit < 0 || p.Limit > maxLimit {
		return nil, apierr.BadRequest("organization_search_invalid_limit", "limit must be between 1 and 1000.")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor)
		if err != nil {
			return nil, err
		}
		f.AfterCreated, f.AfterID = c.CreatedAt, c.ID
	}
	if p.Query != nil {
		if err := applyQuery(&f, p.Query); err != nil {
			return nil, err
		}
	}
	// Fetch one extra row to learn whether another page exists.
	f.Limit++
	orgs, total, err := s.Store.SearchOrganizations(ctx, f)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	res := &SearchResult{Organizations: orgs, Total: total}
	if len(orgs) == f.Limit {
		res.Organizations = orgs[:f.Limit-1]
		last := res.Organizations[len(res.Organizations)-1]
		res.NextCursor = encodeCursor(cursor{last.CreatedAt, last.ID})
	}
	return res, nil
}

func applyQuery(f *store.OrganizationFilter, q *SearchQuery) error {
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
				"filter_value of "+quoteShort(o.FilterName)+" must be a string or a list of strings.")
		}
		if len(vals) == 0 {
			return apierr.BadRequest("organization_search_invalid_filter_value",
				"filter_value of "+quoteShort(o.FilterName)+" must not be empty.")
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
				"Unsupported filter_name "+quoteShort(o.FilterName)+"; supported: organization_ids, organization_slugs, organization_external_ids, organization_name_fuzzy.")
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

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 512 || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, apierr.BadRequest("organization_search_invalid_cursor", "cursor is not a cursor returned by a previous search.")
	}
	return c, nil
}
