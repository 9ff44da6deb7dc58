package store

import (
	"context"
	"encoding/json"
	"time"
)

// SCIMConnection is an organization's directory-sync endpoint (at most one
// per organization). The bearer tokens are never stored: TokenHash and
// NextTokenHash are their SHA-256 digests. NextTokenHash is set between a
// rotation's start and its completion or cancellation; both tokens work then.
type SCIMConnection struct {
	ProjectID         string
	OrganizationID    string
	ID                string
	DisplayName       string
	IdentityProvider  string
	TokenHash         []byte
	TokenLastFour     string
	NextTokenHash     []byte // nil outside a rotation
	NextTokenLastFour string
	GroupRoles        []SCIMGroupRole
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// SCIMGroupRole grants RoleID to the members of the connection's group
// GroupID (Stytch's scim_group_implicit_role_assignments).
type SCIMGroupRole struct {
	RoleID  string `json:"role_id"`
	GroupID string `json:"group_id"`
}

// SCIMUser is a SCIM User resource of a connection, bound to one member:
// its SCIM id is the member's ID. UserName is unique per connection
// case-insensitively; Email is the primary email lower-cased; Resource is
// the stored representation (core and enterprise attributes, without id,
// meta and groups, which are derived).
type SCIMUser struct {
	ProjectID      string
	ConnectionID   string
	MemberID       string
	RegistrationID string
	UserName       string
	ExternalID     string
	DisplayName    string
	Email          string
	Active         bool
	Resource       json.RawMessage
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SCIMGroup is a SCIM Group resource of a connection.
type SCIMGroup struct {
	ProjectID    string
	ConnectionID string
	ID           string
	DisplayName  string
	ExternalID   string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SCIMMembership is one member of one group, with the names both sides
// show: the user's userName and the group's displayName.
type SCIMMembership struct {
	GroupID          string
	GroupDisplayName string
	MemberID         string
	UserName         string
}

// SCIMRegistration is what a member's SCIM user contributes to the member
// object: the user, its groups, and its connection's group role grants.
type SCIMRegistration struct {
	User       *SCIMUser
	GroupIDs   []string
	Groups     []SCIMMembership // the same groups, with their names
	GroupRoles []SCIMGroupRole
}

// SCIM filter attributes (columns a SCIMCond may compare).
const (
	SCIMAttrID          = "id"
	SCIMAttrUserName    = "user_name" // case-insensitive
	SCIMAttrExternalID  = "external_id"
	SCIMAttrEmail       = "email" // case-insensitive
	SCIMAttrDisplayName = "display_name"
	SCIMAttrActive      = "active" // Bool
	// SCIMAttrMember matches groups that have the member (eq only), for
	// Entra ID's membership check members[value eq "..."].
	SCIMAttrMember = "member"
)

// SCIM filter node kinds and comparison operators.
const (
	SCIMAnd = "and"
	SCIMOr  = "or"
	SCIMNot = "not"
	SCIMCmp = "cmp"

	SCIMEq = "eq"
	SCIMNe = "ne"
	SCIMCo = "co"
	SCIMSw = "sw"
	SCIMEw = "ew"
	SCIMPr = "pr"
)

// SCIMCond is a filter already checked by package scim: Kind is SCIMAnd or
// SCIMOr (Left, Right), SCIMNot (Left) or SCIMCmp (Attr, Op, Value or Bool).
type SCIMCond struct {
	Kind        string
	Left, Right *SCIMCond
	Attr        string
	Op          string
	Value       string
	Bool        bool
}

// SCIMList is a page of a connection's users or groups: rows matching
// Where (nil: all), oldest first, skipping Offset, at most Limit.
type SCIMList struct {
	ConnectionID string
	Where        *SCIMCond
	Offset       int
	Limit        int
}

// SCIMScope is a connection read with its project and organization.
type SCIMScope struct {
	Connection   *SCIMConnection
	Project      *Project
	Organization *Organization
}

// SCIMQueries persist SCIM connections, users, groups and memberships.
type SCIMQueries interface {
	CreateSCIMConnection(ctx context.Context, c *SCIMConnection) error
	// GetSCIMScope finds a connection by ID in any project, with its project
	// and organization, in one query: what every SCIM request starts with.
	GetSCIMScope(ctx context.Context, connectionID string) (*SCIMScope, error)
	// GetSCIMConnection finds a connection by ID in any project: the SCIM
	// base URL names only the connection, and its token decides the rest.
	GetSCIMConnection(ctx context.Context, id string) (*SCIMConnection, error)
	// GetOrgSCIMConnection finds the organization's connection.
	GetOrgSCIMConnection(ctx context.Context, projectID, organizationID string) (*SCIMConnection, error)
	// GetSCIMConnectionForUpdate locks the connection row (inside Tx).
	GetSCIMConnectionForUpdate(ctx context.Context, projectID, id string) (*SCIMConnection, error)
	UpdateSCIMConnection(ctx context.Context, c *SCIMConnection) error
	// DeleteSCIMConnection removes the connection with its users, groups
	// and memberships; the members stay.
	DeleteSCIMConnection(ctx context.Context, projectID, id string) error

	// CreateSCIMUser fails with ErrConflict{"user_name"} for a taken
	// userName and ErrConflict{"member_id"} for a member already bound.
	CreateSCIMUser(ctx context.Context, u *SCIMUser) error
	UpdateSCIMUser(ctx context.Context, u *SCIMUser) error
	GetSCIMUser(ctx context.Context, connectionID, memberID string) (*SCIMUser, error)
	GetSCIMUserForUpdate(ctx context.Context, connectionID, memberID string) (*SCIMUser, error)
	// ExistingSCIMUsers returns which of memberIDs are users of the connection.
	ExistingSCIMUsers(ctx context.Context, connectionID string, memberIDs ...string) ([]string, error)
	DeleteSCIMUser(ctx context.Context, connectionID, memberID string) error
	// ListSCIMUsers returns a page and the total count of matches.
	ListSCIMUsers(ctx context.Context, l SCIMList) ([]*SCIMUser, int, error)
	// ListSCIMRegistrations returns the SCIM users of the members with their
	// groups and their connections' group roles, in two queries at most.
	ListSCIMRegistrations(ctx context.Context, projectID string, memberIDs ...string) ([]*SCIMRegistration, error)

	CreateSCIMGroup(ctx context.Context, g *SCIMGroup) error
	UpdateSCIMGroup(ctx context.Context, g *SCIMGroup) error
	GetSCIMGroup(ctx context.Context, connectionID, id string) (*SCIMGroup, error)
	GetSCIMGroupForUpdate(ctx context.Context, connectionID, id string) (*SCIMGroup, error)
	DeleteSCIMGroup(ctx context.Context, connectionID, id string) error
	// ListSCIMGroups filters on id, display_name and external_id.
	ListSCIMGroups(ctx context.Context, l SCIMList) ([]*SCIMGroup, int, error)
	// AddSCIMGroupMembers ignores members already in the group.
	AddSCIMGroupMembers(ctx context.Context, groupID string, memberIDs ...string) error
	// RemoveSCIMGroupMembers removes the members, or all when none are given
	// and all is set.
	RemoveSCIMGroupMembers(ctx context.Context, groupID string, all bool, memberIDs ...string) error
	// ListSCIMGroupMembers lists the memberships of the groups.
	ListSCIMGroupMembers(ctx context.Context, groupIDs ...string) ([]SCIMMembership, error)
	// ListSCIMUserGroups lists the memberships of the users.
	ListSCIMUserGroups(ctx context.Context, memberIDs ...string) ([]SCIMMembership, error)
}
