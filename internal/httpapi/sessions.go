package httpapi

import (
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sessionjwt"
	"github.com/seamsso/seam/internal/sessions"
)

func (s *Server) sessionRoutes() []route {
	return []route{
		{pattern: "GET /v1/b2b/sessions/jwks/{project_id}", summary: "The project's session-JWT verification keys (JWK Set).",
			out: jwksResponse{}, limit: limitByProjectPath("jwks"), handler: apiFunc(s.sessionJWKS)},
		{pattern: "POST /v1/b2b/sessions/authenticate", auth: authProject, access: ignoresSessions(),
			summary: "Authenticate a member session (token or JWT); optionally extend it and check a permission.",
			in:      sessions.AuthenticateParams{}, out: authenticateResponse{}, handler: apiFunc(s.authenticateSession)},
		{pattern: "POST /v1/b2b/sessions/revoke", auth: authProject, access: rbacDomain(resourceMember, "revoke-sessions"),
			summary: "Revoke a session, or every session of a member.", in: sessions.RevokeParams{}, out: emptyResponse{}, handler: apiFunc(s.revokeSession)},
		{pattern: "GET /v1/b2b/sessions", auth: authProject, access: noSessions(), summary: "List a member's live sessions.",
			out: listSessionsResponse{}, handler: apiFunc(s.listSessions)},
	}
}

type jwksResponse struct {
	Keys []sessionjwt.JWK `json:"keys"`
}

func (s *Server) sessionJWKS(r *http.Request) (int, any, error) {
	keys, err := s.sessions.JWKS(r.Context(), r.PathValue("project_id"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, jwksResponse{Keys: keys}, nil
}

type authenticateResponse struct {
	MemberSession *sessions.MemberSession     `json:"member_session"`
	SessionToken  string                      `json:"session_token"`
	SessionJWT    string                      `json:"session_jwt"`
	Member        *members.Member             `json:"member"`
	Organization  *organizations.Organization `json:"organization"`
	Verdict       *rbac.Verdict               `json:"verdict,omitempty"`
}

func (s *Server) authenticateSession(r *http.Request) (int, any, error) {
	var p sessions.AuthenticateParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	a, err := s.sessions.Authenticate(r.Context(), projectFrom(r.Context()), p)
	if err != nil {
		return 0, nil, err
	}
	mv, ov, err := s.memberAndOrg(r, a.Org, a.Member)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, authenticateResponse{
		MemberSession: sessions.View(a.Session, a.Org, a.Roles), SessionToken: a.Token, SessionJWT: a.JWT,
		Member: mv, Organization: ov, Verdict: a.Verdict,
	}, nil
}

func (s *Server) revokeSession(r *http.Request) (int, any, error) {
	var p sessions.RevokeParams
	if err := decodeJSON(r, &p); err != nil {
		return 0, nil, err
	}
	pr, err := s.principal(r)
	if err != nil {
		return 0, nil, err
	}
	if err := s.sessions.Revoke(r.Context(), pr, projectFrom(r.Context()), p); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, emptyResponse{}, nil
}

type listSessionsResponse struct {
	MemberSessions []*sessions.MemberSession `json:"member_sessions"`
}

func (s *Server) listSessions(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	orgRef, memberRef := q.Get("organization_id"), q.Get("member_id")
	if orgRef == "" || memberRef == "" {
		return 0, nil, apierr.BadRequest("invalid_argument", "organization_id and member_id are required.")
	}
	org, err := s.orgs.Get(r.Context(), s.store, projectFrom(r.Context()).ID, orgRef)
	if err != nil {
		return 0, nil, err
	}
	list, err := s.sessions.List(r.Context(), org, memberRef)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, listSessionsResponse{MemberSessions: list}, nil
}
