package httpapi

import (
	"net/http"
	"slices"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

func (s *Server) memberRoutes() []route {
	const org = "/v1/b2b/organizations/{organization_id}"
	return []route{
		{pattern: "POST " + org + "/members", auth: authProject, access: rbacDomain(resourceMember, "create"), summary: "Create a member.",
			in: memberCreateBody{}, out: memberResponse{}, handler: apiFunc(s.createMember)},
		{pattern: "GET " + org + "/member", auth: authProject, access: noSessions(), summary: "Get a member by member_id or email_address.",
			out: memberResponse{}, handler: apiFunc(s.getMember)},
		{pattern: "PUT " + org + "/members/{member_id}", auth: authProject, access: rbacDomain(resourceMember, "update.*"), summary: "Update a member.",
			in: memberUpdateBody{}, out: memberResponse{}, handler: apiFunc(s.updateMember)},
		{pattern: "DELETE " + org + "/members/{member_id}", auth: authProject, access: rbacDomain(resourceMember, "delete"), summary: "Delete a member.",
			out: memberDeleteResponse{}, handler: apiFunc(s.deleteMember)},
		{pattern: "POST /v1/b2b/organizations/members/search", auth: authProject, access: rbacDomain(resourceMember, "search"),
			summary: "Search the members of organizations.", in: members.SearchParams{}, out: memberSearchResponse{}, handler: apiFunc(s.searchMembers)},
	}
}

type memberResponse struct {
	MemberID     string                      `json:"member_id"`
	Member       *members.Member             `json:"member"`
	Organization *organizations.Organization `json:"organization"`
}

func (s *Server) memberResponse(r *http.Request, org *store.Organization, m *store.Member) (int, any, error) {
	v, o, err := s.memberAndOrg(r, org, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, memberResponse{MemberID: m.ID, Member: v, Organization: o}, nil
}

// memberAndOrg renders a member and its organization, as every response
// that returns a member does.
func (s *Server) memberAndOrg(r *http.Request, org *store.Organization, m *store.Member) (*members.Member, *organizations.Organization, error) {
	v, err := s.members.View(r.Context(), s.store, org, m)
	if err != nil {
		return nil, nil, apierr.As(err)
	}
	o, err := s.orgView(r, org)
	if err != nil {
		return nil, nil, err
	}
	return v, o, nil
}

// principal resolves the member-session headers to the call's principal:
// the project secret alone without them (fully privileged), else the
// session, whose roles the domain services check (rbac.Principal).
// orgAndPrincipal resolves the path's organization and the caller's
// principal: the first two steps of the handlers that act on an
// organization's objects with the caller's permissions.
func (s *Server) orgAndPrincipal(r *http.Request) (*store.Organization, rbac.Principal, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return nil, rbac.Principal{}, err
	}
	pr, err := s.principal(r)
	return org, pr, err
}

func (s *Server) principal(r *http.Request) (rbac.Principal, error) {
	return s.sessions.Principal(r.Context(), projectFrom(r.Context()), r.Header.Get(headerSession), r.Header.Get(headerSessionJWT))
}

type memberCreateBody struct {
	members.CreateParams
	OrganizationID string `json:"organization_id"`
}

func (s *Server) createMember(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	var b memberCreateBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	if err := apierr.CheckBodyID("organization_id", r.PathValue("organization_id"), b.OrganizationID, org.ID); err != nil {
		return 0, nil, err
	}
	m, err := s.members.Create(r.Context(), pr, projectFrom(r.Context()), org, b.CreateParams)
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

func (s *Server) getMember(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	var m *store.Member
	switch id, email := q.Get("member_id"), q.Get("email_address"); {
	case id != "":
		m, err = s.members.Get(r.Context(), s.store, org, id)
	case email != "":
		m, err = s.members.GetByEmail(r.Context(), s.store, org, email)
	default:
		return 0, nil, apierr.BadRequest("invalid_argument", "Pass member_id or email_address.")
	}
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

type memberUpdateBody struct {
	members.UpdateParams
	OrganizationID string `json:"organization_id"`
	MemberID       string `json:"member_id"`
}

func (s *Server) updateMember(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	var b memberUpdateBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	if err := apierr.CheckBodyID("organization_id", r.PathValue("organization_id"), b.OrganizationID, org.ID); err != nil {
		return 0, nil, err
	}
	ref := r.PathValue("member_id")
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	m, err := s.members.Update(r.Context(), pr, org, ref, b.UpdateParams, func(m *store.Member) error {
		return apierr.CheckBodyID("member_id", ref, b.MemberID, m.ID)
	})
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

func (s *Server) deleteMember(r *http.Request) (int, any, error) {
	org, pr, err := s.orgAndPrincipal(r)
	if err != nil {
		return 0, nil, err
	}
	id, err := s.members.Delete(r.Context(), pr, org, r.PathValue("member_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, memberDeleteResponse{MemberID: id}, nil
}

type memberSearchResponse struct {
	Members         []*members.Member                      `json:"members"`
	ResultsMetadata resultsMetadata                        `json:"results_metadata"`
	Organizations   map[string]*organizations.Organization `json:"organizations"`
}

func (s *Server) searchMembers(r *http.Request) (int, any, error) {
	var p members.SearchParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	if len(p.OrganizationIDs) == 0 {
		return 0, nil, apierr.BadRequest("member_search_organization_ids_required", "organization_ids must list at least one organization.")
	}
	if len(p.OrganizationIDs) > members.MaxSearchOrganizations {
		return 0, nil, apierr.BadRequest("member_search_too_many_organizations", "organization_ids may list at most 100 organizations.")
	}
	project := projectFrom(r.Context())
	orgs := map[string]*store.Organization{}
	var ids []string
	for _, ref := range p.OrganizationIDs {
		o, err := s.orgs.Get(r.Context(), s.store, project.ID, ref)
		if err != nil {
			return 0, nil, err
		}
		if orgs[o.ID] == nil {
			orgs[o.ID] = o
			ids = append(ids, o.ID)
		}
	}
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	res, err := s.members.Search(r.Context(), pr, project.ID, ids, p)
	if err != nil {
		return 0, nil, err
	}
	out := memberSearchResponse{Members: []*members.Member{}, ResultsMetadata: resultsMetadataOf(res),
		Organizations: map[string]*organizations.Organization{}}
	views, err := s.members.ViewPage(r.Context(), s.store, orgs, res.Items)
	if err != nil {
		return 0, nil, apierr.As(err)
	}
	out.Members = append(out.Members, views...)
	var pageOrgs []*store.Organization
	for _, m := range res.Items {
		if o := orgs[m.OrganizationID]; !slices.Contains(pageOrgs, o) {
			pageOrgs = append(pageOrgs, o)
		}
	}
	orgViews, err := s.orgViews(r, pageOrgs)
	if err != nil {
		return 0, nil, err
	}
	for _, v := range orgViews {
		out.Organizations[v.OrganizationID] = v
	}
	return http.StatusOK, out, nil
}
