package login

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/bearer"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/linking"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/oidc"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/sessions"
	"github.com/seamsso/seam/internal/store"
)

// AuthenticateParams is the body of POST /v1/b2b/sso/authenticate.
type AuthenticateParams struct {
	SSOToken               string                     `json:"sso_token"`
	PKCECodeVerifier       string                     `json:"pkce_code_verifier"`
	SessionToken           string                     `json:"session_token"`
	SessionJWT             string                     `json:"session_jwt"`
	SessionDurationMinutes int                        `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]json.RawMessage `json:"session_custom_claims"`
	Locale                 string                     `json:"locale"`
	// RequestID is the HTTP request ID, stored with a relink's record.
	RequestID string `json:"-"`
}

// Authenticated is a finished SSO login.
type Authenticated struct {
	Org     *store.Organization
	Member  *store.Member
	Created bool // the member was provisioned just in time
	Session *sessions.Issued
	// View is the member's API object, rendered in the transaction that
	// linked the member and stored the session.
	View *members.Member
}

// Authenticate exchanges a one-time SSO token for a member and a session:
// the member registered with the identity, else the member with its email,
// else a member provisioned just in time when the organization allows it.
func (s *Service) Authenticate(ctx context.Context, p *store.Project, in AuthenticateParams) (*Authenticated, error) {
	if in.SSOToken == "" {
		return nil, apierr.BadRequest("sso_token_required", "sso_token is required.")
	}
	if len(in.SSOToken) > bearer.MaxLength {
		return nil, tokenNotFound()
	}
	grant := sessions.Grant{
		DurationMinutes: in.SessionDurationMinutes, CustomClaims: in.SessionCustomClaims,
		SessionToken: in.SessionToken, SessionJWT: in.SessionJWT,
	}
	// Everything that can be checked without the token is checked first: a
	// malformed request must not use the one-time token up.
	if err := s.Sessions.CheckGrant(ctx, p, grant); err != nil {
		return nil, err
	}
	pending, err := s.Sessions.Prepare(ctx, p, grant)
	if err != nil {
		return nil, err
	}
	// One transaction uses the token up, links the member (created,
	// updated or found, with its event and a relink's record) and stores
	// the session: one commit. A refusal decided in it (PKCE, a deleted
	// organization or connection, the linking rule, JIT) commits too, so
	// the token stays used up, as it always was; a database error rolls
	// everything back. The session JWT is signed after the commit.
	hash := bearer.Hash(in.SSOToken)
	var out *Authenticated
	for attempt := 1; ; attempt++ {
		var refused error
		err = s.Store.Tx(ctx, func(q store.Queries) error {
			a, err := s.authenticateIn(ctx, q, p, in, hash, pending)
			if err != nil && apierr.As(err).Status < http.StatusInternalServerError {
				refused = err
				return nil
			}
			out = a
			return err
		})
		if refused != nil {
			if err != nil { // the commit failed: the refusal stands, the token is used up on its own
				_, _ = s.Store.ConsumeSSOToken(ctx, p.ID, hash, s.Now())
			}
			return nil, refused
		}
		// A concurrent login of the same identity created the member or
		// registration first; the next attempt finds it.
		if errors.Is(err, members.ErrLinkRace) && attempt < 3 {
			continue
		}
		if errors.Is(err, members.ErrLinkRace) {
			return nil, apierr.Internal(err)
		}
		if err != nil {
			return nil, err
		}
		break
	}
	// The signing key is settled after the commit (sessions.PendingGrant).
	issued, err := pending.Issue(ctx)
	if err != nil {
		return nil, err
	}
	out.Session = issued
	return out, nil
}

// authenticateIn is Authenticate's work in its transaction q.
func (s *Service) authenticateIn(ctx context.Context, q store.Queries, p *store.Project, in AuthenticateParams, hash []byte, pending *sessions.PendingGrant) (*Authenticated, error) {
	tok, err := q.ConsumeSSOToken(ctx, p.ID, hash, s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, tokenNotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	s.step(ctx, "login authenticate: sso token consumed", tok.OrganizationID, tok.ConnectionID)
	if err := checkPKCE(tok.PKCECodeChallenge, in.PKCECodeVerifier); err != nil {
		return nil, err
	}
	var id identity
	if err := json.Unmarshal(tok.Identity, &id); err != nil {
		return nil, apierr.Internal(err)
	}
	org, err := q.GetOrganization(ctx, p.ID, tok.OrganizationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apierr.NotFound("organization_not_found", "The organization of this login no longer exists.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	// The connection may have been deleted since the callback (deleting a
	// source connection also deletes External connections using it).
	conn, err := q.GetConnection(ctx, p.ID, id.ConnectionID)
	if err != nil || conn.OrganizationID != org.ID {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, apierr.Internal(err)
		}
		return nil, apierr.NotFound("sso_connection_not_found", "The SSO connection of this login was deleted after the IdP answered; start the login again.")
	}
	policy, err := s.linkPolicy(ctx, q, conn, &id)
	if err != nil {
		return nil, err
	}
	link, err := s.Members.LinkSSOIn(ctx, q, p, org, conn, id.member(policy), jitAllowed(org, id.ConnectionID))
	var refusal *linking.Refusal
	switch {
	case errors.Is(err, members.ErrNoMember):
		return nil, apierr.Forbidden("sso_jit_provisioning_not_allowed",
			"No member of the organization matches this identity, and the organization's sso_jit_provisioning does not allow creating one through this connection.")
	case errors.As(err, &refusal):
		return nil, refusal.APIError()
	case err != nil:
		return nil, err
	}
	if err := s.recordRelink(conn, &id, policy, in.RequestID)(ctx, q, link); err != nil {
		return nil, err
	}
	if link.View == nil {
		if link.View, err = s.Members.View(ctx, q, org, link.Member); err != nil {
			return nil, err
		}
	}
	kind := store.KindSAML
	if id.Kind == "oidc" {
		kind = store.KindOIDC
	}
	if err := pending.Write(ctx, q, org, link.Member, sessions.SSOFactor(kind, link.Registration, s.Now()), link.View.Roles); err != nil {
		return nil, err
	}
	s.step(ctx, "login authenticate: member linked and session stored", org.ID, conn.ID,
		slog.String("member_id", link.Member.ID), slog.Bool("created", link.Created()))
	return &Authenticated{Org: org, Member: link.Member, Created: link.Created(), View: link.View}, nil
}

// recordRelink stores a relink as a login attempt of the connection the
// member logs in through (outcome "relinked"), in the transaction that
// moves the registration: the organization's admins see every move in the
// connection's login diagnostics.
func (s *Service) recordRelink(conn *store.Connection, id *identity, policy linking.Policy, requestID string) func(context.Context, store.Queries, *members.SSOLink) error {
	return func(ctx context.Context, q store.Queries, l *members.SSOLink) error {
		if l.Action != linking.Relinked {
			return nil
		}
		facts, err := json.Marshal(map[string]any{"identity_link": &linkFacts{
			Action: l.Action, MemberID: l.Member.ID, ConnectionID: conn.ID, EmailTrust: id.EmailTrust,
			Subject: l.Registration.ExternalID, PreviousSubject: l.PreviousExternalID, Policy: policy,
		}})
		if err != nil {
			return apierr.Internal(err)
		}
		return q.CreateLoginAttempt(ctx, &store.LoginAttempt{
			ID: s.IDs.New(ids.LoginAttempt, connEnv(conn)), ProjectID: conn.ProjectID, OrganizationID: conn.OrganizationID,
			ConnectionID: conn.ID, RequestID: requestID, Outcome: string(linking.Relinked),
			Detail: "The member's registration with this connection moved from subject " + apierr.Quote(l.PreviousExternalID) +
				" to " + apierr.Quote(l.Registration.ExternalID) + " (identity_linking.subject_change is RELINK).",
			Facts: facts, CreatedAt: s.Now(),
		})
	}
}

func tokenNotFound() *apierr.Error {
	return apierr.NotFound("sso_token_not_found", "The SSO token is unknown, expired or already used; SSO tokens can be used once, within 10 minutes.")
}

// checkPKCE enforces the proof-key binding chosen at start.
func checkPKCE(challenge, verifier string) error {
	switch {
	case challenge == "" && verifier != "":
		return apierr.BadRequest("pkce_did_not_expect_code_verifier", "This login was started without pkce_code_challenge; do not send pkce_code_verifier.")
	case challenge == "":
		return nil
	case verifier == "":
		return apierr.BadRequest("pkce_expected_code_verifier", "This login was started with pkce_code_challenge; pkce_code_verifier is required.")
	case len(verifier) > 128 || subtle.ConstantTimeCompare([]byte(oidc.S256Challenge(verifier)), []byte(challenge)) != 1:
		return apierr.BadRequest("pkce_mismatch", "pkce_code_verifier does not match the pkce_code_challenge of this login.")
	}
	return nil
}

// jitAllowed applies the organization's sso_jit_provisioning to the
// connection the member logs in through.
func jitAllowed(org *store.Organization, connectionID string) bool {
	switch org.SSOJITProvisioning {
	case "ALL_ALLOWED":
		return true
	case "RESTRICTED":
		for _, c := range organizations.JITAllowedConnections(org) {
			if c == connectionID {
				return true
			}
		}
	}
	return false
}

func attributesAny(a map[string][]string) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		if len(v) == 1 {
			out[k] = v[0]
		} else {
			out[k] = v
		}
	}
	return out
}
