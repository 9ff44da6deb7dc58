package members

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/store"
)

// SSOIdentity is an identity an IdP verified, as the login pipeline hands
// it to this package.
type SSOIdentity struct {
	// ConnectionID is the connection of the member's organization the login
	// went through: the SAML or OIDC connection itself, or the External
	// connection that uses another organization's connection. Registrations,
	// implicit roles and session factors all name this connection.
	ConnectionID string
	ExternalID   string // SAML NameID or OIDC sub: the registration's external_id
	Email        string
	Name         string
	Groups       []string       // stored under GroupsAttribute
	Attributes   map[string]any // other IdP attributes kept in sso_attributes
}

// MaxExternalIDLength bounds an IdP subject identifier.
const MaxExternalIDLength = 1024

// ErrNoMember is returned by LinkSSO when no member matches the identity and
// just-in-time provisioning was not allowed. The login pipeline chooses the
// client-facing error.
var ErrNoMember = errors.New("members: no member for this SSO identity and JIT provisioning is not allowed")

// SSOLink is the outcome of LinkSSO.
type SSOLink struct {
	Member       *store.Member
	Registration *store.SSORegistration
	Created      bool // the member was provisioned just in time
}

func (id SSOIdentity) check() error {
	if id.ConnectionID == "" || id.ExternalID == "" || len(id.ExternalID) > MaxExternalIDLength || !utf8.ValidString(id.ExternalID) {
		return apierr.BadRequest("invalid_sso_identity", "The IdP did not assert a usable subject identifier.")
	}
	return nil
}

// FindBySSO returns the member registered with connectionID under
// externalID, or nil, nil when there is none.
func (s *Service) FindBySSO(ctx context.Context, q store.Queries, projectID, connectionID, externalID string) (*store.Member, *store.SSORegistration, error) {
	reg, err := q.GetSSORegistration(ctx, projectID, connectionID, externalID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, apierr.Internal(err)
	}
	m, err := q.GetMember(ctx, projectID, reg.MemberID)
	if err != nil {
		return nil, nil, apierr.Internal(err) // the registration references its member
	}
	return m, reg, nil
}

// FindByEmail returns the member of org with the email, or nil, nil.
func (s *Service) FindByEmail(ctx context.Context, q store.Queries, org *store.Organization, email string) (*store.Member, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, nil //nolint:nilerr // an address that cannot be valid matches nobody
	}
	m, err := q.GetMemberByEmail(ctx, org.ProjectID, org.ID, e)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return m, nil
}

// JITCreate provisions a member of org from an SSO identity, with its
// registration: active, email verified by the IdP, no direct roles.
func (s *Service) JITCreate(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, id SSOIdentity) (*store.Member, *store.SSORegistration, error) {
	if err := id.check(); err != nil {
		return nil, nil, err
	}
	email, err := NormalizeEmail(id.Email)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	m := &store.Member{
		ProjectID: p.ID, OrganizationID: org.ID, ID: s.IDs.New(ids.Member, env(p)), Email: email, Name: clipName(id.Name),
		Status: StatusActive, Roles: []string{}, EmailVerified: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := q.CreateMember(ctx, m); err != nil {
		return nil, nil, conflictError(err)
	}
	reg, err := s.UpsertSSORegistration(ctx, q, p, m, id)
	if err != nil {
		return nil, nil, err
	}
	return m, reg, nil
}

// UpsertSSORegistration records that m logged in through id.ConnectionID as
// id.ExternalID: it creates the member's registration with the connection
// or updates its external ID and attributes.
func (s *Service) UpsertSSORegistration(ctx context.Context, q store.Queries, p *store.Project, m *store.Member, id SSOIdentity) (*store.SSORegistration, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	now := s.Now()
	attrs := SSOAttributes(id.Attributes, id.Groups)
	reg, err := q.GetMemberSSORegistration(ctx, m.ProjectID, m.ID, id.ConnectionID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		reg = &store.SSORegistration{
			ProjectID: m.ProjectID, MemberID: m.ID, ID: s.IDs.New(ids.SSORegistration, env(p)),
			ConnectionID: id.ConnectionID, ExternalID: id.ExternalID, Attributes: attrs, CreatedAt: now, UpdatedAt: now,
		}
		err = q.CreateSSORegistration(ctx, reg)
	case err == nil:
		reg.ExternalID, reg.Attributes, reg.UpdatedAt = id.ExternalID, attrs, now
		err = q.UpdateSSORegistration(ctx, reg)
	}
	var c *store.ErrConflict
	if errors.As(err, &c) {
		return nil, apierr.BadRequest("duplicate_sso_registration", "Another member is already registered with this SSO connection under the same IdP identity.")
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return reg, nil
}

// LinkSSO resolves the member of org an SSO identity logs in as, in one
// transaction: the member registered with the identity; else the member
// with the identity's email (who gets a registration); else, when allowJIT
// is true, a new member (JITCreate); else ErrNoMember. A pending or invited
// member becomes active, an email the IdP asserted counts as verified, and
// the registration's attributes (groups) are refreshed on every login. Two
// first logins of one identity at once end with one member.
func (s *Service) LinkSSO(ctx context.Context, p *store.Project, org *store.Organization, id SSOIdentity, allowJIT bool) (*SSOLink, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	var out *SSOLink
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.Store.Tx(ctx, func(q store.Queries) error {
			var lerr error
			out, lerr = s.link(ctx, q, p, org, id, allowJIT)
			return lerr
		})
		// A concurrent login of the same identity created the member or
		// registration first; the next attempt finds it.
		if !errors.Is(err, errRace) {
			break
		}
	}
	if errors.Is(err, errRace) {
		return nil, apierr.Internal(err)
	}
	return out, err
}

var errRace = errors.New("members: concurrent SSO link")

func (s *Service) link(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, id SSOIdentity, allowJIT bool) (*SSOLink, error) {
	c, err := q.GetConnection(ctx, p.ID, id.ConnectionID)
	if err != nil || c.OrganizationID != org.ID {
		return nil, apierr.Internal(errors.New("members: SSO identity's connection is not a connection of the organization"))
	}
	m, _, err := s.FindBySSO(ctx, q, p.ID, id.ConnectionID, id.ExternalID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		if m, err = s.FindByEmail(ctx, q, org, id.Email); err != nil {
			return nil, err
		}
	}
	if m == nil {
		if !allowJIT {
			return nil, ErrNoMember
		}
		var reg *store.SSORegistration
		m, reg, err = s.JITCreate(ctx, q, p, org, id)
		if apierr.TypeOf(err) == "duplicate_member_email" || apierr.TypeOf(err) == "duplicate_sso_registration" {
			return nil, errRace
		}
		if err != nil {
			return nil, err
		}
		return &SSOLink{Member: m, Registration: reg, Created: true}, nil
	}
	if m.OrganizationID != org.ID {
		return nil, apierr.Internal(errors.New("members: SSO registration of a member of another organization"))
	}
	if s.refreshOnLogin(m, id) {
		m.UpdatedAt = s.Now()
		if err := q.UpdateMember(ctx, m); err != nil {
			return nil, apierr.Internal(err)
		}
	}
	reg, err := s.UpsertSSORegistration(ctx, q, p, m, id)
	if apierr.TypeOf(err) == "duplicate_sso_registration" {
		return nil, errRace
	}
	if err != nil {
		return nil, err
	}
	return &SSOLink{Member: m, Registration: reg}, nil
}

// refreshOnLogin applies what a successful SSO login changes on a member
// and reports whether anything changed.
func (s *Service) refreshOnLogin(m *store.Member, id SSOIdentity) bool {
	changed := false
	if m.Status != StatusActive {
		m.Status, changed = StatusActive, true
	}
	if e, err := NormalizeEmail(id.Email); err == nil && e == m.Email && !m.EmailVerified {
		m.EmailVerified, changed = true, true
	}
	if m.Name == "" && strings.TrimSpace(id.Name) != "" {
		m.Name, changed = clipName(id.Name), true
	}
	return changed
}

// clipName makes an IdP-supplied name storable: valid UTF-8, trimmed, at
// most MaxNameLength runes.
func clipName(name string) string {
	name = strings.TrimSpace(strings.ToValidUTF8(name, ""))
	if utf8.RuneCountInString(name) > MaxNameLength {
		name = string([]rune(name)[:MaxNameLength])
	}
	return name
}
