package store

import (
	"context"
	"encoding/json"
	"time"
)

// Member is a person in an organization. The email address is unique within
// the organization and stored lower-cased; ExternalID, when set, is unique
// within the organization too.
type Member struct {
	ProjectID         string
	OrganizationID    string
	ID                string
	Email             string
	ExternalID        string // "" when unset
	Name              string
	Status            string   // "active", "pending" or "invited"
	Roles             []string // directly assigned role IDs (stytch_member is implicit)
	TrustedMetadata   json.RawMessage
	UntrustedMetadata json.RawMessage
	IsBreakglass      bool
	MFAEnrolled       bool
	MFAPhoneNumber    string
	DefaultMFAMethod  string
	EmailVerified     bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// SSORegistration links a member to the identity an SSO connection's IdP
// asserts for them: ExternalID (SAML NameID or OIDC sub) is unique per
// connection, and a member has at most one registration per connection.
// Attributes holds the IdP attributes of the latest login as a JSON object.
type SSORegistration struct {
	ProjectID    string
	MemberID     string
	ID           string
	ConnectionID string
	ExternalID   string
	Attributes   json.RawMessage
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Member search condition kinds.
const (
	MemberByIDs         = "ids"
	MemberByEmails      = "emails"
	MemberByEmailFuzzy  = "email_fuzzy" // substring, case-insensitive
	MemberByExternalIDs = "external_ids"
	MemberByStatuses    = "statuses"
	MemberByBreakglass  = "breakglass" // Bool
	MemberByPhones      = "phones"
	MemberByPhoneFuzzy  = "phone_fuzzy" // substring
	MemberByRoles       = "roles"       // any of the directly assigned roles
)

// MemberCondition is one search operand. Values is a set (any value
// matches); fuzzy kinds use Values[0].
type MemberCondition struct {
	Kind   string
	Values []string
	Bool   bool
}

// MemberFilter narrows a member search to organizations of a project.
// Conditions are combined with AND, or with OR when Any is set.
type MemberFilter struct {
	ProjectID       string
	OrganizationIDs []string // required: at least one
	Conditions      []MemberCondition
	Any             bool
	// ExcludeStatuses leaves out members with these statuses, whatever the
	// conditions (the members package hides deleted members this way).
	ExcludeStatuses []string
	Keyset
}

// MemberQueries persist members and their SSO registrations, always scoped
// to a project.
type MemberQueries interface {
	CreateMember(ctx context.Context, m *Member) error
	// GetMember finds a member of the project by member ID.
	GetMember(ctx context.Context, projectID, id string) (*Member, error)
	// GetOrgMember finds a member of the organization by member ID or
	// external ID (IDs win).
	GetOrgMember(ctx context.Context, projectID, organizationID, ref string) (*Member, error)
	// GetOrgMemberForUpdate is GetOrgMember with a row lock (inside Tx).
	GetOrgMemberForUpdate(ctx context.Context, projectID, organizationID, ref string) (*Member, error)
	// GetMemberByEmail matches the email case-insensitively.
	GetMemberByEmail(ctx context.Context, projectID, organizationID, email string) (*Member, error)
	// GetMemberByEmailForUpdate is GetMemberByEmail with a row lock (inside
	// Tx), in one query.
	GetMemberByEmailForUpdate(ctx context.Context, projectID, organizationID, email string) (*Member, error)
	UpdateMember(ctx context.Context, m *Member) error
	// There is no DeleteMember: a deleted member stays, with status
	// "deleted" (package members); member rows go only with their
	// organization or project.
	// SearchMembers returns matches ordered by (created_at, id) and the total
	// count of matches ignoring the cursor and limit.
	SearchMembers(ctx context.Context, f MemberFilter) ([]*Member, int, error)

	CreateSSORegistration(ctx context.Context, r *SSORegistration) error
	// UpdateSSORegistration changes ExternalID, Attributes and UpdatedAt.
	UpdateSSORegistration(ctx context.Context, r *SSORegistration) error
	// GetSSORegistration finds the registration of an IdP identity.
	GetSSORegistration(ctx context.Context, projectID, connectionID, externalID string) (*SSORegistration, error)
	// GetMemberSSORegistration finds a member's registration with a connection.
	GetMemberSSORegistration(ctx context.Context, projectID, memberID, connectionID string) (*SSORegistration, error)
	// ListSSORegistrations returns the registrations of the members, oldest
	// first.
	ListSSORegistrations(ctx context.Context, projectID string, memberIDs ...string) ([]*SSORegistration, error)
}
