package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessions"
)

// lifecycleRoutes are the member lifecycle around the core CRUD: deleted
// members and their reactivation, external IDs, retired email addresses,
// organization metrics, and switching a session to another organization.
// The rules live in the members, organizations and sessions packages.
func (s *Server) lifecycleRoutes() []route {
	const org = "/v1/b2b/organizations/{organization_id}"
	const member = org + "/members/{member_id}"
	return []route{
		{pattern: "PUT " + member + "/reactivate", auth: authProject, access: rbacDomain(resourceMember, "create"),
			summary: "Reactivate a deleted member (by member_id; the member needs a verified email address).",
			in:      noFields{}, out: memberResponse{}, handler: apiFunc(s.reactivateMember)},
		{pattern: "GET /v1/b2b/organizations/members/dangerously_get/{member_id}", auth: authProject, access: noSessions(),
			summary: "Get a member by member_id in any organization of the project; include_deleted=true finds deleted members too.",
			out:     memberResponse{}, handler: apiFunc(s.dangerouslyGetMember)},
		{pattern: "DELETE " + member + "/external_id", auth: authProject, access: rbacDomain(resourceMember, rbac.Wildcard),
			summary: "Delete a member's external_id.", out: memberResponse{}, handler: apiFunc(s.deleteMemberExternalID)},
		{pattern: "POST " + member + "/unlink_retired_email", auth: authProject, access: rbacDomain(resourceMember, members.ActionUnlinkRetiredEmail),
			summary: "Unlink a retired email address from a member, so that other members may use it.",
			in:      unlinkRetiredEmailBody{}, out: unlinkRetiredEmailResponse{}, handler: apiFunc(s.unlinkRetiredEmail)},
		{pattern: "GET " + org + "/metrics", auth: authProject, access: noSessions(), summary: "Organization metrics: the member count.",
			out: metricsResponse{}, handler: apiFunc(s.organizationMetrics)},
		{pattern: "DELETE " + org + "/external_id", auth: authProject, access: rbacDomain(resourceOrganization, rbac.Wildcard),
			summary: "Delete an organization's organization_external_id.", out: orgResponse{}, handler: apiFunc(s.deleteOrganizationExternalID)},
		{pattern: "POST /v1/b2b/sessions/exchange", auth: authProject, access: ignoresSessions(),
			summary: "Exchange a member session for a session of the same person (same email) in another organization, when its rules accept the session's SSO factor.",
			in:      sessions.ExchangeParams{}, out: exchangeResponse{}, handler: apiFunc(s.exchangeSession)},
	}
}

func (s *Server) reactivateMember(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	if err := decodeJSON(r, &noFields{}); err != nil {
		return 0, nil, err
	}
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	m, err := s.members.Reactivate(r.Context(), pr, org, r.PathValue("member_id"))
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

func (s *Server) dangerouslyGetMember(r *http.Request) (int, any, error) {
	var includeDeleted bool
	switch v := r.URL.Query().Get("include_deleted"); v {
	case "", "false":
	case "true":
		includeDeleted = true
	default:
		return 0, nil, apierr.BadRequest("invalid_request_value", "include_deleted must be true or false, not "+apierr.Quote(v)+".")
	}
	project := projectFrom(r.Context())
	m, err := s.members.DangerouslyGet(r.Context(), s.store, project.ID, r.PathValue("member_id"), includeDeleted)
	if err != nil {
		return 0, nil, err
	}
	org, err := s.orgs.Get(r.Context(), s.store, project.ID, m.OrganizationID)
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

func (s *Server) deleteMemberExternalID(r *http.Request) (int, any, error) {
	org, pr, err := s.orgAndPrincipal(r)
	if err != nil {
		return 0, nil, err
	}
	m, err := s.members.DeleteExternalID(r.Context(), pr, org, r.PathValue("member_id"))
	if err != nil {
		return 0, nil, err
	}
	return s.memberResponse(r, org, m)
}

type unlinkRetiredEmailBody struct {
	members.UnlinkRetiredEmailParams
	OrganizationID string `json:"organization_id"`
	MemberID       string `json:"member_id"`
}

type unlinkRetiredEmailResponse struct {
	MemberID       string                      `json:"member_id"`
	OrganizationID string                      `json:"organization_id"`
	Member         *members.Member             `json:"member"`
	Organization   *organizations.Organization `json:"organization"`
}

func (s *Server) unlinkRetiredEmail(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	var b unlinkRetiredEmailBody
	if err := decodeJSON(r, &b); err != nil {
		return 0, nil, err
	}
	if err := apierr.CheckBodyID("organization_id", r.PathValue("organization_id"), b.OrganizationID, org.ID); err != nil {
		return 0, nil, err
	}
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	m, err := s.members.UnlinkRetiredEmail(r.Context(), pr, org, r.PathValue("member_id"), b.UnlinkRetiredEmailParams)
	if err != nil {
		return 0, nil, err
	}
	mv, ov, err := s.memberAndOrg(r, org, m)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, unlinkRetiredEmailResponse{MemberID: m.ID, OrganizationID: org.ID, Member: mv, Organization: ov}, nil
}

type metricsResponse struct {
	MemberCount int `json:"member_count"`
}

func (s *Server) organizationMetrics(r *http.Request) (int, any, error) {
	org, err := s.resolveOrg(r)
	if err != nil {
		return 0, nil, err
	}
	n, err := s.members.Count(r.Context(), org)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, metricsResponse{MemberCount: n}, nil
}

func (s *Server) deleteOrganizationExternalID(r *http.Request) (int, any, error) {
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := s.orgs.DeleteExternalID(r.Context(), pr, projectFrom(r.Context()).ID, r.PathValue("organization_id"))
	if err != nil {
		return 0, nil, err
	}
	v, err := s.orgView(r, o)
	return http.StatusOK, orgResponse{v}, err
}

// exchangeResponse is Stytch's B2BSessionsExchangeResponse. Seam answers
// only fully authenticated exchanges (member_authenticated true), so the
// intermediate session token is always empty and mfa_required and
// primary_required are null.
type exchangeResponse struct {
	MemberID                 string                      `json:"member_id"`
	MemberSession            *sessions.MemberSession     `json:"member_session"`
	SessionToken             string                      `json:"session_token"`
	SessionJWT               string                      `json:"session_jwt"`
	Member                   *members.Member             `json:"member"`
	Organization             *organizations.Organization `json:"organization"`
	MemberAuthenticated      bool                        `json:"member_authenticated"`
	IntermediateSessionToken string                      `json:"intermediate_session_token"`
	MFARequired              *struct{}                   `json:"mfa_required"`
	PrimaryRequired          *struct{}                   `json:"primary_required"`
}

func (s *Server) exchangeSession(r *http.Request) (int, any, error) {
	var p sessions.ExchangeParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	x, err := s.sessions.Exchange(r.Context(), projectFrom(r.Context()), p)
	if err != nil {
		return 0, nil, err
	}
	mv, ov, err := s.memberAndOrg(r, x.Org, x.Member)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, exchangeResponse{
		MemberID: x.Member.ID, MemberSession: sessions.View(x.Issued.Session, x.Org, x.Issued.Roles),
		SessionToken: x.Issued.Token, SessionJWT: x.Issued.JWT, Member: mv, Organization: ov, MemberAuthenticated: true,
	}, nil
}
