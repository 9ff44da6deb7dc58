package members

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/linking"
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
	ExternalID   string // SAML NameID or OIDC sub
	Email        string
	Name         string
	Groups       []string       // stored under GroupsAttribute
	Attributes   map[string]any // other IdP attributes kept in sso_attributes
	// EmailTrust is what the IdP said about Email.
	EmailTrust linking.EmailTrust
	// Transient is set for a SAML transient NameID, which changes on every
	// login and so never becomes a registration key.
	Transient bool
	// Policy is the effective identity_linking policy of the connection
	// whose IdP verified the identity.
	Policy linking.Policy
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
	Action       linking.Action
	// PreviousExternalID is the subject a Relinked registration had.
	PreviousExternalID string
	// View is the member's API object after the link, when the link
	// rendered it (for its event); nil otherwise. A caller that needs it
	// renders it through the link's transaction when nil.
	View *Member
}

// Created reports whether the member was provisioned just in time.
func (l *SSOLink) Created() bool { return l.Action == linking.Created }

func (id SSOIdentity) check() error {
	if id.ConnectionID == "" || id.ExternalID == "" || len(id.ExternalID) > MaxExternalIDLength || !utf8.ValidString(id.ExternalID) {
		return apierr.BadRequest("invalid_sso_identity", "The IdP did not assert a usable subject identifier.")
	}
	if _, err := NormalizeEmail(id.Email); id.Transient && err != nil {
		return apierr.BadRequest("invalid_sso_identity", "A login with a transient NameID needs a valid email address: it is the only stable identifier.")
	}
	return nil
}

// key is the identity's registration key: the subject as the IdP sent it,
// or the normalized email for a transient NameID.
func (id SSOIdentity) key() string {
	if e, err := NormalizeEmail(id.Email); id.Transient && err == nil {
		return e
	}
	return id.ExternalID // check refused a transient identity without a valid email
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

// jitCreate provisions a member of org from an SSO identity, with its
// registration: active, no direct roles, email verified only when the IdP
// said so.
func (s *Service) jitCreate(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, id SSOIdentity, res *Resolution) (*store.Member, *store.SSORegistration, error) {
	email, err := NormalizeEmail(id.Email)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	m := &store.Member{
		ProjectID: p.ID, OrganizationID: org.ID, ID: s.IDs.New(ids.Member, env(p)), Email: email, Name: clipName(id.Name),
		Status: StatusActive, Roles: []string{}, EmailVerified: res.MarkVerified, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.checkNotRetiredByOther(ctx, q, org, m.Email, m.ID, "retired_member_email"); err != nil {
		return nil, nil, err
	}
	if err := q.CreateMember(ctx, m); err != nil {
		return nil, nil, conflictError(err)
	}
	reg := &store.SSORegistration{
		ProjectID: p.ID, MemberID: m.ID, ID: s.IDs.New(ids.SSORegistration, env(p)), ConnectionID: id.ConnectionID,
		ExternalID: res.Key, Attributes: SSOAttributes(id.Attributes, id.Groups), CreatedAt: now, UpdatedAt: now,
	}
	if err := q.CreateSSORegistration(ctx, reg); err != nil {
		var c *store.ErrConflict
		if errors.As(err, &c) {
			return nil, nil, apierr.BadRequest("duplicate_sso_registration", "Another member is already registered with this SSO connection under the same IdP identity.")
		}
		return nil, nil, apierr.Internal(err)
	}
	return m, reg, nil
}

// Resolution is what the linking rule decided for an identity, with what
// the lookups found: the member (nil for Created and NoMember) and that
// member's registration with the connection (nil when it has none).
type Resolution struct {
	linking.Decision
	Member       *store.Member
	Registration *store.SSORegistration
	// Key is the registration key of the login: the IdP subject, or for a
	// SAML transient NameID the vouched email.
	Key string
}

// ResolveSSO applies the linking rule (internal/linking) to an identity
// without changing anything: the callback uses it to refuse early and to
// choose between the login and signup URLs, and LinkSSO runs it again in
// its transaction. A refusal is returned as the Resolution's Refusal, not as
// an error; a deleted member is an error (403 member_deactivated).
func (s *Service) ResolveSSO(ctx context.Context, q store.Queries, org *store.Organization, id SSOIdentity, allowJIT bool) (*Resolution, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	res := &Resolution{Key: id.key()}
	facts := linking.Facts{Email: id.Email, Trust: id.EmailTrust, Transient: id.Transient, AllowJIT: allowJIT}
	m, reg, err := s.FindBySSO(ctx, q, org.ProjectID, id.ConnectionID, res.Key)
	if err != nil {
		return nil, err
	}
	if m != nil {
		if m.OrganizationID != org.ID {
			return nil, apierr.Internal(errors.New("members: SSO registration of a member of another organization"))
		}
		facts.Registered = true
	} else if m, err = s.FindByEmail(ctx, q, org, id.Email); err != nil {
		return nil, err
	}
	if m != nil {
		// A deleted member is refused before any linking rule, whichever
		// way it was found: a login must not undo the deletion.
		if err := refuseDeactivated(m); err != nil {
			return nil, err
		}
		facts.EmailMember = true
		if reg == nil {
			reg, err = q.GetMemberSSORegistration(ctx, org.ProjectID, m.ID, id.ConnectionID)
			if errors.Is(err, store.ErrNotFound) {
				reg, err = nil, nil
			}
			if err != nil {
				return nil, apierr.Internal(err)
			}
		}
		if reg != nil {
			facts.EmailMemberSubject = reg.ExternalID
			// A concurrent first login committed the registration between
			// the two lookups: it is this identity's own.
			facts.Registered = facts.Registered || reg.ExternalID == res.Key
		}
	}
	res.Decision = linking.Decide(id.Policy, facts)
	res.Member, res.Registration = m, reg
	return res, nil
}

// LinkSSO resolves the member of org an SSO identity logs in as and applies
// the decision, in one transaction (see internal/linking for the rule): the
// returning member, an existing member linked by a vouched email, a member
// provisioned just in time when allowJIT is true, or ErrNoMember. A refusal
// is returned as a *linking.Refusal. A pending or invited member becomes
// active, the registration's attributes (groups) are refreshed on every
// login, and record (when not nil) runs in the same transaction so that
// what a login did (a relink) is recorded if and only if it happened. Two
// first logins of one identity at once end with one member.
func (s *Service) LinkSSO(ctx context.Context, p *store.Project, org *store.Organization, id SSOIdentity, allowJIT bool, record func(context.Context, store.Queries, *SSOLink) error) (*SSOLink, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	var out *SSOLink
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = s.Store.Tx(ctx, func(q store.Queries) error {
			var lerr error
			if out, lerr = s.link(ctx, q, p, org, id, allowJIT); lerr != nil || record == nil {
				return lerr
			}
			return record(ctx, q, out)
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

// LinkSSOIn is LinkSSO in the caller's transaction q, once: when it
// returns ErrLinkRace (a concurrent login of the same identity created the
// member or registration first, which on PostgreSQL aborts q) the caller
// rolls back and runs its transaction again, which then finds them.
// conn is id's connection as the caller read it through q.
func (s *Service) LinkSSOIn(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, conn *store.Connection, id SSOIdentity, allowJIT bool) (*SSOLink, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	return s.linkThrough(ctx, q, p, org, conn, id, allowJIT)
}

// ErrLinkRace is LinkSSOIn's report of a concurrent link of the same
// identity.
var ErrLinkRace = errRace

var errRace = errors.New("members: concurrent SSO link")

func (s *Service) link(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, id SSOIdentity, allowJIT bool) (*SSOLink, error) {
	c, err := q.GetConnection(ctx, p.ID, id.ConnectionID)
	if err != nil {
		c = nil
	}
	return s.linkThrough(ctx, q, p, org, c, id, allowJIT)
}

func (s *Service) linkThrough(ctx context.Context, q store.Queries, p *store.Project, org *store.Organization, c *store.Connection, id SSOIdentity, allowJIT bool) (*SSOLink, error) {
	if c == nil || c.ID != id.ConnectionID || c.ProjectID != p.ID || c.OrganizationID != org.ID {
		return nil, apierr.Internal(errors.New("members: SSO identity's connection is not a connection of the organization"))
	}
	res, err := s.ResolveSSO(ctx, q, org, id, allowJIT)
	if err != nil {
		return nil, err
	}
	if res.Refusal != nil {
		return nil, res.Refusal
	}
	out := &SSOLink{Action: res.Action}
	switch res.Action {
	case linking.NoMember:
		return nil, ErrNoMember
	case linking.Created:
		out.Member, out.Registration, err = s.jitCreate(ctx, q, p, org, id, res)
		if apierr.TypeOf(err) == "duplicate_member_email" || apierr.TypeOf(err) == "duplicate_sso_registration" {
			return nil, errRace
		}
		if err != nil {
			return nil, err
		}
		policy, err := s.Policies.Of(p.RBACPolicy)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		if out.View, err = viewJITCreated(policy, org, out.Member, out.Registration, c); err != nil {
			return nil, err
		}
		return out, s.recordObject(ctx, q, out.Member, events.Create, out.View)
	}
	m, reg := res.Member, res.Registration
	// A login changes the member object when it activates the member,
	// verifies its email, or adds or relinks a registration; the group
	// attributes refreshed on every login are not an event of their own.
	changed := reg == nil || res.Action == linking.Relinked
	if s.refreshOnLogin(m, id, res.MarkVerified) {
		changed = true
		m.UpdatedAt = s.Now()
		if err := q.UpdateMember(ctx, m); err != nil {
			return nil, apierr.Internal(err)
		}
	}
	now := s.Now()
	attrs := SSOAttributes(id.Attributes, id.Groups)
	if reg == nil { // Linked: the member's first registration with the connection
		reg = &store.SSORegistration{
			ProjectID: m.ProjectID, MemberID: m.ID, ID: s.IDs.New(ids.SSORegistration, env(p)),
			ConnectionID: id.ConnectionID, ExternalID: res.Key, Attributes: attrs, CreatedAt: now, UpdatedAt: now,
		}
		err = q.CreateSSORegistration(ctx, reg)
	} else {
		if res.Action == linking.Relinked {
			out.PreviousExternalID = reg.ExternalID
			reg.ExternalID = res.Key
		}
		reg.Attributes, reg.UpdatedAt = attrs, now
		err = q.UpdateSSORegistration(ctx, reg)
	}
	var conflict *store.ErrConflict
	if errors.As(err, &conflict) {
		return nil, errRace
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out.Member, out.Registration = m, reg
	if changed && s.Events != nil {
		if out.View, err = s.View(ctx, q, org, m); err != nil {
			return nil, err
		}
		if err := s.recordObject(ctx, q, m, events.Update, out.View); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// refreshOnLogin applies what a successful SSO login changes on a member
// and reports whether anything changed. The email becomes verified only
// when the rule says the IdP verified it, and only the member's own address.
func (s *Service) refreshOnLogin(m *store.Member, id SSOIdentity, markVerified bool) bool {
	changed := false
	if m.Status != StatusActive {
		m.Status, changed = StatusActive, true
	}
	if e, err := NormalizeEmail(id.Email); err == nil && markVerified && e == m.Email && !m.EmailVerified {
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
	name = strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), ""))
	if utf8.RuneCountInString(name) > MaxNameLength {
		name = string([]rune(name)[:MaxNameLength])
	}
	return name
}
