package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/search"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

type orgResponse struct {
	Organization *organizations.Organization `json:"organization"`
}

// orgBody is a create/update body: the settable fields plus the path ID the
// Go SDK repeats in the body.
type orgBody struct {
	organizations.Fields
	OrganizationID string `json:"organization_id"`
}

func (s *Server) orgView(r *http.Request, o *store.Organization) (*organizations.Organization, error) {
	active, err := s.activeConnections(r, o)
	if err != nil {
		return nil, err
	}
	return organizations.View(o, active), nil
}

// activeConnections lists the organization's active SSO connections for the
// organization object.
func (s *Server) activeConnections(r *http.Request, o *store.Organization) ([]organizations.ActiveConnection, error) {
	cs, err := s.sso.Active(r.Context(), o)
	if err != nil {
		return nil, err
	}
	return toActive(cs), nil
}

func toActive(cs []sso.ActiveConnection) []organizations.ActiveConnection {
	out := make([]organizations.ActiveConnection, 0, len(cs))
	for _, c := range cs {
		out = append(out, organizations.ActiveConnection{ConnectionID: c.ConnectionID, DisplayName: c.DisplayName, IdentityProvider: c.IdentityProvider})
	}
	return out
}

func (s *Server) createOrganization(r *http.Request) (int, any, error) {
	var b orgBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	o, err := s.orgs.Create(r.Context(), projectFrom(r.Context()), b.Fields)
	if err != nil {
		return 0, nil, err
	}
	// A new organization has no SSO connections: the response needs no read
	// after the commit, so a database failure cannot answer 5xx for an
	// organization that was in fact created. Its object is the one Create
	// encoded for the event (an orgResponse).
	return http.StatusOK, encodedObject(member{"organization", o.Object}), nil
}

func (s *Server) getOrganization(r *http.Request) (int, any, error) {
	o, err := s.orgs.Get(r.Context(), s.store, projectFrom(r.Context()).ID, r.PathValue("organization_id"))
	if err != nil {
		return 0, nil, err
	}
	v, err := s.orgView(r, o)
	return http.StatusOK, orgResponse{v}, err
}

func (s *Server) updateOrganization(r *http.Request) (int, any, error) {
	var b orgBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	ref := r.PathValue("organization_id")
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := s.orgs.Update(r.Context(), pr, projectFrom(r.Context()).ID, ref, b.Fields, func(o *store.Organization) error {
		return apierr.CheckBodyID("organization_id", ref, b.OrganizationID, o.ID)
	})
	if err != nil {
		return 0, nil, err
	}
	v, err := s.orgView(r, o)
	return http.StatusOK, orgResponse{v}, err
}

func (s *Server) deleteOrganization(r *http.Request) (int, any, error) {
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	id, err := s.orgs.Delete(r.Context(), pr, projectFrom(r.Context()).ID, r.PathValue("organization_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, orgDeleteResponse{OrganizationID: id}, nil
}

type searchResponse struct {
	Organizations   []*organizations.Organization `json:"organizations"`
	ResultsMetadata resultsMetadata               `json:"results_metadata"`
}

type resultsMetadata struct {
	Total      int     `json:"total"`
	NextCursor *string `json:"next_cursor"`
}

// resultsMetadataOf is Stytch's results_metadata of a search page:
// next_cursor is null on the last page.
func resultsMetadataOf[T any](res *search.Result[T]) resultsMetadata {
	m := resultsMetadata{Total: res.Total}
	if res.NextCursor != "" {
		m.NextCursor = &res.NextCursor
	}
	return m
}

func (s *Server) searchOrganizations(r *http.Request) (int, any, error) {
	var p organizations.SearchParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	res, err := s.orgs.Search(r.Context(), projectFrom(r.Context()).ID, p)
	if err != nil {
		return 0, nil, err
	}
	out := searchResponse{Organizations: []*organizations.Organization{}, ResultsMetadata: resultsMetadataOf(res)}
	views, err := s.orgViews(r, res.Items)
	if err != nil {
		return 0, nil, err
	}
	out.Organizations = append(out.Organizations, views...)
	return http.StatusOK, out, nil
}

// orgViews is orgView for organizations of the request's project, with one
// query for all their connections.
func (s *Server) orgViews(r *http.Request, orgs []*store.Organization) ([]*organizations.Organization, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	active, err := s.sso.ActiveOfOrganizations(r.Context(), orgs[0].ProjectID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*organizations.Organization, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, organizations.View(o, toActive(active[o.ID])))
	}
	return out, nil
}
