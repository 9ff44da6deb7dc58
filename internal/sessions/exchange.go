package sessions

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/store"
)

// ExchangeParams is the body of POST /v1/b2b/sessions/exchange.
type ExchangeParams struct {
	OrganizationID         string                     `json:"organization_id"`
	SessionToken           string                     `json:"session_token"`
	SessionJWT             string                     `json:"session_jwt"`
	SessionDurationMinutes int                        `json:"session_duration_minutes"`
	SessionCustomClaims    map[string]json.RawMessage `json:"session_custom_claims"`
	// Locale and TelemetryID are accepted and unused: Seam sends no OTPs
	// and has no device fingerprinting.
	Locale      string `json:"locale"`
	TelemetryID string `json:"telemetry_id"`
}

// Exchanged is the session an exchange produced in the target organization.
type Exchanged struct {
	Org    *store.Organization
	Member *store.Member
	Issued *Issued
}

func insufficientFactors(msg string) *apierr.Error {
	return apierr.BadRequest("insufficient_factors_for_session_exchange", msg)
}

// Exchange trades a live session of one organization for a new session of
// the same person in another organization of the project (Stytch's Exchange
// Session): the member of the target organization with the session member's
// email address. Seam's factors are SSO logins, so the rule is about the
// identity provider: a session's SSO factor counts in the target
// organization when the target has an active connection that logs in
// through the same IdP connection (its own connection, or an External
// connection sharing the source), the target's auth_methods allow sso
// (breakglass members are exempt), and the IdP identity is the target
// member's: its registration with that connection has the same subject, or,
// without one, the session member's email address was verified by an IdP.
// Seam has no MFA, intermediate sessions or magic links, so where Stytch
// would answer member_authenticated false (MFA required, or primary factors
// missing) Seam refuses the exchange with the reason; it never answers with
// a half-authenticated session. The original session stays valid.
func (s *Service) Exchange(ctx context.Context, p *store.Project, in ExchangeParams) (*Exchanged, error) {
	switch {
	case in.SessionToken != "" && in.SessionJWT != "":
		return nil, tooManyArguments("Pass either session_token or session_jwt, not both.")
	case in.SessionToken == "" && in.SessionJWT == "":
		return nil, apierr.BadRequest("no_session_arguments", "Pass session_token or session_jwt: the session to exchange.")
	case in.OrganizationID == "":
		return nil, apierr.BadRequest("invalid_organization_id", "organization_id is required: the organization to switch to.")
	}
	if in.SessionDurationMinutes != 0 {
		if err := validateDuration(in.SessionDurationMinutes); err != nil {
			return nil, err
		}
	}
	sub, err := s.Subject(ctx, p, in.SessionToken, in.SessionJWT)
	if err != nil {
		return nil, err
	}
	target, err := s.Store.GetOrganization(ctx, p.ID, in.OrganizationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, organizations.NotFound(in.OrganizationID)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	m, err := s.Store.GetMemberByEmail(ctx, p.ID, target.ID, sub.Member.Email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && members.IsDeleted(m)) {
		return nil, apierr.NotFound("member_not_found",
			"The organization has no member with this session's email address; the exchange switches to an existing member, it does not create one.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	factor, err := s.exchangeFactor(ctx, sub, target, m)
	if err != nil {
		return nil, err
	}
	if m, err = s.activate(ctx, m); err != nil {
		return nil, err
	}
	issued, err := s.Grant(ctx, p, target, m, Grant{Factor: factor, DurationMinutes: in.SessionDurationMinutes, CustomClaims: in.SessionCustomClaims})
	if err != nil {
		return nil, err
	}
	return &Exchanged{Org: target, Member: m, Issued: issued}, nil
}

// exchangeFactor decides whether the session's factors satisfy the target
// organization's rules for member m, and returns the factor of the new
// session: an SSO factor of the target's connection through the same IdP.
func (s *Service) exchangeFactor(ctx context.Context, sub *Subject, target *store.Organization, m *store.Member) (Factor, error) {
	rules := organizations.AuthRulesOf(target)
	if rules.Restricted && !slices.Contains(rules.AllowedAuthMethods, "sso") && !m.IsBreakglass {
		return Factor{}, apierr.Forbidden("operation_restricted_by_organization_auth_methods",
			"The organization's auth_methods is RESTRICTED to "+strings.Join(rules.AllowedAuthMethods, ", ")+
				", which does not include sso, the only authentication Seam implements.")
	}
	if (rules.MFARequired || m.MFAEnrolled) && !m.IsBreakglass {
		return Factor{}, insufficientFactors("The organization requires MFA for this member (mfa_policy REQUIRED_FOR_ALL or mfa_enrolled); Seam does not implement MFA, so a session cannot be exchanged into it.")
	}
	conns, err := s.Store.ListConnections(ctx, target.ProjectID, target.ID)
	if err != nil {
		return Factor{}, apierr.Internal(err)
	}
	for _, raw := range factorList(sub.Session.AuthenticationFactors) {
		var w wireFactor
		if json.Unmarshal(raw, &w) != nil || w.Type != FactorSSO {
			continue
		}
		d, kind := w.SAMLSSOFactor, store.KindSAML
		if d == nil {
			d, kind = w.OIDCSSOFactor, store.KindOIDC
		}
		if d == nil {
			continue
		}
		used, err := s.Store.GetConnection(ctx, target.ProjectID, d.ProviderID)
		if errors.Is(err, store.ErrNotFound) {
			continue // the connection was deleted since the login
		}
		if err != nil {
			return Factor{}, apierr.Internal(err)
		}
		for _, c := range conns {
			if c.Status != "active" || identitySource(c) != identitySource(used) {
				continue
			}
			f, ok, err := s.factorFor(ctx, sub, m, c, kind, d)
			if err != nil || ok {
				return f, err
			}
		}
	}
	return Factor{}, insufficientFactors("None of the session's authentication factors is accepted by organization " +
		apierr.Quote(target.ID) + ": it needs an SSO login through an identity provider that one of its active SSO connections trusts (its own connection, or an External connection to the same source), by the identity of this member.")
}

// factorFor checks that the IdP identity of the session's factor d may act
// as member m through connection c of the target, and builds the factor.
func (s *Service) factorFor(ctx context.Context, sub *Subject, m *store.Member, c *store.Connection, kind string, d *SSOFactorDetails) (Factor, bool, error) {
	reg, err := s.Store.GetMemberSSORegistration(ctx, m.ProjectID, m.ID, c.ID)
	switch {
	case err == nil && reg.ExternalID == d.ExternalID:
		return SSOFactor(kind, reg, s.Now()), true, nil
	case err == nil:
		return Factor{}, false, nil // the member is another identity at this IdP
	case !errors.Is(err, store.ErrNotFound):
		return Factor{}, false, apierr.Internal(err)
	case !sub.Member.EmailVerified:
		return Factor{}, false, nil // the shared email address was never vouched for
	}
	// No registration of m with c yet: the factor names c without one, so
	// c's implicit SSO roles do not apply until the member logs in through c.
	return SSOFactor(kind, &store.SSORegistration{ConnectionID: c.ID, ExternalID: d.ExternalID}, s.Now()), true, nil
}

// identitySource is the connection whose IdP authenticates logins through
// c: c itself, or the source of an External connection.
func identitySource(c *store.Connection) string {
	if c.Kind == store.KindExternal {
		return c.SourceID
	}
	return c.ID
}

// activate makes a pending or invited member active, as its first login
// would (Stytch: an exchange can accept an invite).
func (s *Service) activate(ctx context.Context, m *store.Member) (*store.Member, error) {
	if m.Status == members.StatusActive {
		return m, nil
	}
	var out *store.Member
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		locked, err := q.GetOrgMemberForUpdate(ctx, m.ProjectID, m.OrganizationID, m.ID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && members.IsDeleted(locked)) {
			return members.NotFound() // deleted meanwhile
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if locked.Status != members.StatusActive {
			locked.Status, locked.UpdatedAt = members.StatusActive, s.Now()
			if err := q.UpdateMember(ctx, locked); err != nil {
				return apierr.Internal(err)
			}
		}
		out = locked
		return nil
	})
	return out, err
}
