package members

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Member is the API representation (Stytch's Member object). Fields for
// features Seam does not implement (passwords, OAuth, TOTP, SCIM, locking)
// carry their empty values so that SDK types are satisfied.
type Member struct {
	OrganizationID         string            `json:"organization_id"`
	MemberID               string            `json:"member_id"`
	EmailAddress           string            `json:"email_address"`
	Status                 string            `json:"status"`
	Name                   string            `json:"name"`
	SSORegistrations       []SSORegistration `json:"sso_registrations"`
	IsBreakglass           bool              `json:"is_breakglass"`
	MemberPasswordID       string            `json:"member_password_id"`
	OAuthRegistrations     []struct{}        `json:"oauth_registrations"`
	EmailAddressVerified   bool              `json:"email_address_verified"`
	MFAPhoneNumberVerified bool              `json:"mfa_phone_number_verified"`
	IsAdmin                bool              `json:"is_admin"`
	TOTPRegistrationID     string            `json:"totp_registration_id"`
	RetiredEmailAddresses  []RetiredEmail    `json:"retired_email_addresses"`
	IsLocked               bool              `json:"is_locked"`
	MFAEnrolled            bool              `json:"mfa_enrolled"`
	MFAPhoneNumber         string            `json:"mfa_phone_number"`
	DefaultMFAMethod       string            `json:"default_mfa_method"`
	Roles                  []MemberRole      `json:"roles"`
	TrustedMetadata        json.RawMessage   `json:"trusted_metadata"`
	UntrustedMetadata      json.RawMessage   `json:"untrusted_metadata"`
	CreatedAt              time.Time         `json:"created_at"`
	UpdatedAt              time.Time         `json:"updated_at"`
	SCIMRegistration       *SCIMRegistration `json:"scim_registration"`
	ExternalID             string            `json:"external_id"`
	LockCreatedAt          *time.Time        `json:"lock_created_at"`
	LockExpiresAt          *time.Time        `json:"lock_expires_at"`
}

// SSORegistration is a member's registration with an SSO connection.
type SSORegistration struct {
	ConnectionID   string          `json:"connection_id"`
	ExternalID     string          `json:"external_id"`
	RegistrationID string          `json:"registration_id"`
	SSOAttributes  json.RawMessage `json:"sso_attributes"`
}

// View builds the API form of m: its registrations and roles are loaded
// through q.
func (s *Service) View(ctx context.Context, q store.Queries, org *store.Organization, m *store.Member) (*Member, error) {
	regs, err := q.ListSSORegistrations(ctx, m.ProjectID, m.ID)
	if err != nil {
		return nil, err
	}
	if regs == nil {
		regs = []*store.SSORegistration{}
	}
	conns, err := connectionsOf(ctx, q, m.ProjectID, regs)
	if err != nil {
		return nil, err
	}
	scim, err := q.ListSCIMRegistrations(ctx, m.ProjectID, m.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	policy, err := s.policy(ctx, q, org.ProjectID)
	if err != nil {
		return nil, err
	}
	roles, err := rolesFrom(policy, org, m, regs, conns, scim...)
	if err != nil {
		return nil, err
	}
	out := withSCIM(Render(m, regs, roles), scim)
	if err := withRetiredEmails(ctx, q, m.ProjectID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ViewCreated is View for a member created in the caller's transaction
// together with its SCIM registrations scim (SCIM provisioning): a member
// that did not exist before the transaction has no SSO registrations and no
// retired email addresses yet, and a new SCIM user is in no group, so the
// view is built from what the caller just wrote, with no query. It equals
// what View returns after the commit. policy is the project's RBAC policy
// (rbac.Policies.Of of the project row the caller holds).
func (s *Service) ViewCreated(policy rbac.Policy, org *store.Organization, m *store.Member, scim ...*store.SCIMRegistration) (*Member, error) {
	regs := []*store.SSORegistration{}
	roles, err := rolesFrom(policy, org, m, regs, nil, scim...)
	if err != nil {
		return nil, err
	}
	return withSCIM(Render(m, regs, roles), scim), nil
}

// viewJITCreated is View for a member provisioned just in time in the
// caller's transaction with its first SSO registration reg, through
// connection c: a member that did not exist before the transaction has no
// other registration, no SCIM registration and no retired email address,
// so the view is built from what the caller wrote, with no query. It
// equals what View returns after the commit (TestLinkSSOView).
func viewJITCreated(policy rbac.Policy, org *store.Organization, m *store.Member, reg *store.SSORegistration, c *store.Connection) (*Member, error) {
	regs := []*store.SSORegistration{reg}
	roles, err := rolesFrom(policy, org, m, regs, map[string]*store.Connection{c.ID: c})
	if err != nil {
		return nil, err
	}
	return Render(m, regs, roles), nil
}

// ViewPage is View for a page of members of the given organizations (keyed
// by ID): one query for all their registrations and one for the
// connections those name, whatever the page size.
func (s *Service) ViewPage(ctx context.Context, q store.Queries, orgs map[string]*store.Organization, ms []*store.Member) ([]*Member, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	all, err := q.ListSSORegistrations(ctx, ms[0].ProjectID, ids...)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	conns, err := connectionsOf(ctx, q, ms[0].ProjectID, all)
	if err != nil {
		return nil, err
	}
	policy, err := s.policy(ctx, q, ms[0].ProjectID)
	if err != nil {
		return nil, err
	}
	byMember := map[string][]*store.SSORegistration{}
	for _, r := range all {
		byMember[r.MemberID] = append(byMember[r.MemberID], r)
	}
	scimRegs, err := q.ListSCIMRegistrations(ctx, ms[0].ProjectID, ids...)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	scimByMember := map[string][]*store.SCIMRegistration{}
	for _, r := range scimRegs {
		scimByMember[r.User.MemberID] = append(scimByMember[r.User.MemberID], r)
	}
	out := make([]*Member, 0, len(ms))
	for _, m := range ms {
		org := orgs[m.OrganizationID]
		if org == nil || m.ProjectID != ms[0].ProjectID {
			return nil, apierr.Internal(fmt.Errorf("member %s: organization %s not loaded", m.ID, m.OrganizationID))
		}
		regs := byMember[m.ID]
		if regs == nil {
			regs = []*store.SSORegistration{}
		}
		roles, err := rolesFrom(policy, org, m, regs, conns, scimByMember[m.ID]...)
		if err != nil {
			return nil, err
		}
		out = append(out, withSCIM(Render(m, regs, roles), scimByMember[m.ID]))
	}
	if err := withRetiredEmails(ctx, q, ms[0].ProjectID, out...); err != nil {
		return nil, err
	}
	return out, nil
}

// Render is View with the registrations and roles already known.
func Render(m *store.Member, regs []*store.SSORegistration, roles []MemberRole) *Member {
	out := &Member{
		OrganizationID: m.OrganizationID, MemberID: m.ID, EmailAddress: m.Email, Status: m.Status, Name: m.Name,
		SSORegistrations: make([]SSORegistration, 0, len(regs)), IsBreakglass: m.IsBreakglass,
		OAuthRegistrations: []struct{}{}, EmailAddressVerified: m.EmailVerified, RetiredEmailAddresses: []RetiredEmail{},
		MFAEnrolled: m.MFAEnrolled, MFAPhoneNumber: m.MFAPhoneNumber, DefaultMFAMethod: m.DefaultMFAMethod,
		Roles: roles, TrustedMetadata: orJSON(m.TrustedMetadata), UntrustedMetadata: orJSON(m.UntrustedMetadata),
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, ExternalID: m.ExternalID,
	}
	if out.Roles == nil {
		out.Roles = []MemberRole{}
	}
	out.IsAdmin = slices.ContainsFunc(out.Roles, func(r MemberRole) bool { return r.RoleID == rbac.RoleAdmin })
	for _, r := range regs {
		out.SSORegistrations = append(out.SSORegistrations, SSORegistration{
			ConnectionID: r.ConnectionID, ExternalID: r.ExternalID, RegistrationID: r.ID, SSOAttributes: orJSON(r.Attributes),
		})
	}
	return out
}

func orJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("{}")
	}
	return raw
}
