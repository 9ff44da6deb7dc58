package login

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/projects"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// StartParams are the query parameters of GET /v1/public/sso/start.
type StartParams struct {
	ConnectionID      string
	OrganizationID    string
	PublicToken       string
	LoginRedirectURL  string
	SignupRedirectURL string
	PKCECodeChallenge string
	CustomScopes      string // OIDC only: extra scopes for this login
}

// StartResult tells the handler where to send the browser and which cookie
// binds the login to it.
type StartResult struct {
	RedirectURL string
	Cookie      *http.Cookie
}

var pkceChallengeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// route is the connection a login goes through and the one whose IdP
// verifies it (the same, except for External connections).
type route struct {
	project *store.Project
	conn    *store.Connection // what the login started on
	idp     *store.Connection // SAML or OIDC connection that talks to the IdP
	// setupReturn is set for a test login started from a setup page: the
	// page path its outcome is shown at (test_login.go).
	setupReturn string
}

// Start validates a start request, stores its state and returns the IdP URL.
func (s *Service) Start(ctx context.Context, p StartParams) (*StartResult, error) {
	project, err := s.Projects.ByPublicToken(ctx, p.PublicToken)
	if err != nil {
		return nil, err
	}
	rt, err := s.locate(ctx, project, p.ConnectionID, p.OrganizationID)
	if err != nil {
		return nil, err
	}
	s.step(ctx, "login start: connection located", rt.conn.OrganizationID, rt.conn.ID,
		slog.String("project_id", project.ID), slog.String("kind", rt.idp.Kind), slog.String("idp_connection_id", rt.idp.ID))
	login, signup, err := s.redirectTargets(ctx, s.Store, project, p.LoginRedirectURL, p.SignupRedirectURL)
	if err != nil {
		return nil, err
	}
	if p.PKCECodeChallenge != "" && !pkceChallengeRE.MatchString(p.PKCECodeChallenge) {
		return nil, apierr.BadRequest("invalid_pkce_code_challenge", "pkce_code_challenge must be the base64url SHA-256 of the code verifier (43 characters).")
	}
	req := &store.SSORequest{
		ProjectID: project.ID, ConnectionID: rt.conn.ID, OrganizationID: rt.conn.OrganizationID,
		LoginRedirectURL: login, SignupRedirectURL: signup, PKCECodeChallenge: p.PKCECodeChallenge,
		CreatedAt: s.Now(), ExpiresAt: s.Now().Add(requestTTL),
	}
	var res *StartResult
	switch rt.idp.Kind {
	case store.KindSAML:
		res, err = s.startSAML(ctx, rt, req)
	case store.KindOIDC:
		res, err = s.startOIDC(ctx, rt, req, p.CustomScopes)
	default:
		return nil, apierr.Internal(errors.New("login: connection of unknown kind " + rt.idp.Kind))
	}
	if err == nil {
		s.step(ctx, "login start: request stored, redirecting to the IdP", rt.conn.OrganizationID, rt.conn.ID)
	}
	return res, err
}

// locate finds the connection from exactly one locator, following an
// External connection to its source.
func (s *Service) locate(ctx context.Context, project *store.Project, connID, orgRef string) (*route, error) {
	switch {
	case connID != "" && orgRef != "":
		return nil, apierr.BadRequest("too_many_sso_connection_locators", "Pass connection_id or organization_id, not both.")
	case connID == "" && orgRef == "":
		return nil, apierr.BadRequest("missing_sso_connection_locator", "Pass connection_id or organization_id.")
	case orgRef != "":
		id, err := s.defaultConnection(ctx, project, orgRef)
		if err != nil {
			return nil, err
		}
		connID = id
	}
	notFound := apierr.NotFound("sso_connection_not_found", "SSO connection "+apierr.Quote(connID)+" was not found in this project.")
	if !sso.IsConnectionID("", connID) {
		return nil, notFound
	}
	c, err := s.Store.GetConnection(ctx, project.ID, connID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	rt := &route{project: project, conn: c, idp: c}
	if c.Kind == store.KindExternal {
		src, err := s.Store.GetConnection(ctx, project.ID, c.SourceID)
		if err != nil {
			return nil, apierr.BadRequest("external_connection_not_active", "The External connection's source connection no longer exists.")
		}
		if src.Status != "active" {
			return nil, apierr.BadRequest("external_connection_not_active", "The External connection's source connection "+
				apierr.Quote(src.ID)+" is not active yet: "+s.missingText(src))
		}
		rt.idp = src
	}
	if rt.idp.Status != "active" {
		return nil, apierr.BadRequest("requires_active_sso_connection", "SSO connection "+apierr.Quote(c.ID)+" is not active yet: "+s.missingText(rt.idp))
	}
	return rt, nil
}

// missingText names what a pending connection still needs, from the
// activation rule in sso.
func (s *Service) missingText(c *store.Connection) string {
	missing, err := s.SSO.MissingSettings(c)
	if err != nil || len(missing) == 0 {
		return "it still lacks required settings."
	}
	return "set " + strings.Join(missing, ", ") + " (see missing_settings on the connection)."
}

// defaultConnection picks an organization's connection: its
// sso_default_connection_id, else its only active connection.
func (s *Service) defaultConnection(ctx context.Context, project *store.Project, orgRef string) (string, error) {
	org, err := s.Store.GetOrganization(ctx, project.ID, orgRef)
	if errors.Is(err, store.ErrNotFound) {
		return "", apierr.NotFound("organization_not_found", "Organization "+apierr.Quote(orgRef)+" was not found in this project.")
	}
	if err != nil {
		return "", apierr.Internal(err)
	}
	if org.SSODefaultConnectionID != "" {
		return org.SSODefaultConnectionID, nil
	}
	cs, err := s.Store.ListConnections(ctx, project.ID, org.ID)
	if err != nil {
		return "", apierr.Internal(err)
	}
	var active []string
	for _, c := range cs {
		if c.Status == "active" {
			active = append(active, c.ID)
		}
	}
	switch len(active) {
	case 0:
		return "", apierr.BadRequest("no_sso_connection_exists_for_organization", "The organization has no active SSO connection.")
	case 1:
		return active[0], nil
	}
	return "", apierr.BadRequest("indeterminate_sso_connection_for_organization",
		"The organization has several active SSO connections and no sso_default_connection_id; pass connection_id.")
}

// redirectTargets checks the requested URLs against the project's
// registered redirect URLs, read from the database on every login so that a
// change made through the administration API or CLI applies at once on
// every replica; an omitted URL is the default of its type.
func (s *Service) redirectTargets(ctx context.Context, q store.Queries, p *store.Project, login, signup string) (string, string, error) {
	list, err := q.ListRedirectURLs(ctx, p.ID)
	if err != nil {
		return "", "", apierr.Internal(err)
	}
	return projects.RedirectTargets(list, login, signup)
}
