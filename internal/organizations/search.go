package organizations

import (
	"context"
	"time"

	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/store"
)

// SearchParams is the body of POST /v1/b2b/organizations/search.
type SearchParams struct {
	search.Request
}

// orgSearch is Stytch's organization search, declared for the search
// driver. The SDK types fuzzy filters as a single string and the others as
// lists; every filter takes either form. A repeated filter narrows with AND.
func orgSearch() *search.Resource[*store.Organization, store.OrganizationFilter] {
	type F = store.OrganizationFilter
	field := func(name string, at func(*F) *[]string) search.Filter[F] {
		return search.Filter[F]{Name: name, Shape: search.StringOrList, Apply: func(f *F, v search.Value) {
			*at(f) = intersect(*at(f), v.Strings)
		}}
	}
	return &search.Resource[*store.Organization, F]{
		Prefix: "organization_search",
		Filters: []search.Filter[F]{
			field("organization_ids", func(f *F) *[]string { return &f.IDs }),
			field("organization_slugs", func(f *F) *[]string { return &f.Slugs }),
			field("organization_external_ids", func(f *F) *[]string { return &f.ExternalIDs }),
			{Name: "organization_name_fuzzy", Shape: search.StringOrList, Once: true, Apply: func(f *F, v search.Value) { f.NameFuzzy = v.Strings }},
		},
		Keyset: func(f *F) *store.Keyset { return &f.Keyset },
		Key:    func(o *store.Organization) (time.Time, string) { return o.CreatedAt, o.ID },
	}
}

// Search runs a search within the project.
func (s *Service) Search(ctx context.Context, projectID string, p SearchParams) (*search.Result[*store.Organization], error) {
	return search.Run(ctx, orgSearch(), p.Request, store.OrganizationFilter{ProjectID: projectID}, s.Store.SearchOrganizations)
}

// SearchErrorTypes are the error types the search driver can refuse an
// organization search with (400s), for the API description.
func SearchErrorTypes() []string { return orgSearch().ErrorTypes() }

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
