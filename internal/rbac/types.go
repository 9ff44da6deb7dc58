package rbac

import "encoding/json"

// Reserved role and resource identifiers from Stytch's default policy.
const (
	RoleMember = "stytch_member"
	RoleAdmin  = "stytch_admin"

	ResourceOrganization   = "stytch.organization"
	ResourceMember         = "stytch.member"
	ResourceSSO            = "stytch.sso"
	ResourceSelf           = "stytch.self"
	ResourceSCIM           = "stytch.scim"
	ResourceCustomOrgRoles = "stytch.custom-org-roles"

	// Wildcard in a permission's actions grants every action of the resource.
	Wildcard = "*"

	// ReservedResourcePrefix marks Stytch-defined resources; operators cannot
	// define resources under it.
	ReservedResourcePrefix = "stytch."
	// ReservedRolePrefix marks Stytch-defined roles.
	ReservedRolePrefix = "stytch_"
)

// Actions on stytch.sso, the resource the SSO management endpoints enforce.
const (
	ActionCreate = "create"
	ActionGet    = "get"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Permission grants actions on one resource.
type Permission struct {
	ResourceID string   `json:"resource_id"`
	Actions    []string `json:"actions"`
}

// Role is a named set of permissions.
type Role struct {
	RoleID      string       `json:"role_id"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
}

// Resource declares the actions that permissions may name for it.
type Resource struct {
	ResourceID  string   `json:"resource_id"`
	Description string   `json:"description"`
	Actions     []string `json:"actions"`
}

// Scope is an OAuth-style scope for connected apps and M2M clients; Seam
// stores and publishes scopes but does not evaluate them.
type Scope struct {
	Scope       string       `json:"scope"`
	Description string       `json:"description"`
	Permissions []Permission `json:"permissions"`
}

// Policy is a project's RBAC policy in the shape of
// GET /v1/b2b/rbac/policy's "policy" object.
type Policy struct {
	Roles     []Role     `json:"roles"`
	Resources []Resource `json:"resources"`
	Scopes    []Scope    `json:"scopes"`
}

// The MarshalJSON methods below write nil slices as []: the Node SDK calls
// .filter/.includes on these fields while evaluating RBAC locally and throws
// on null.

func (p Permission) MarshalJSON() ([]byte, error) {
	type plain Permission
	if p.Actions == nil {
		p.Actions = []string{}
	}
	return json.Marshal(plain(p))
}

func (r Role) MarshalJSON() ([]byte, error) {
	type plain Role
	if r.Permissions == nil {
		r.Permissions = []Permission{}
	}
	return json.Marshal(plain(r))
}

func (r Resource) MarshalJSON() ([]byte, error) {
	type plain Resource
	if r.Actions == nil {
		r.Actions = []string{}
	}
	return json.Marshal(plain(r))
}

func (s Scope) MarshalJSON() ([]byte, error) {
	type plain Scope
	if s.Permissions == nil {
		s.Permissions = []Permission{}
	}
	return json.Marshal(plain(s))
}

func (p Policy) MarshalJSON() ([]byte, error) {
	type plain Policy
	if p.Roles == nil {
		p.Roles = []Role{}
	}
	if p.Resources == nil {
		p.Resources = []Resource{}
	}
	if p.Scopes == nil {
		p.Scopes = []Scope{}
	}
	return json.Marshal(plain(p))
}

// Role returns the project role with the given ID.
func (p Policy) Role(roleID string) (Role, bool) {
	for _, r := range p.Roles {
		if r.RoleID == roleID {
			return r, true
		}
	}
	return Role{}, false
}

// Resource returns the resource with the given ID.
func (p Policy) Resource(resourceID string) (Resource, bool) {
	for _, r := range p.Resources {
		if r.ResourceID == resourceID {
			return r, true
		}
	}
	return Resource{}, false
}

// Clone returns a deep copy, so a caller can hand out a policy without
// sharing its slices.
func (p Policy) Clone() Policy {
	out := Policy{
		Roles:     make([]Role, len(p.Roles)),
		Resources: make([]Resource, len(p.Resources)),
		Scopes:    make([]Scope, len(p.Scopes)),
	}
	for i, r := range p.Roles {
		out.Roles[i] = r.clone()
	}
	for i, r := range p.Resources {
		out.Resources[i] = Resource{ResourceID: r.ResourceID, Description: r.Description, Actions: cloneStrings(r.Actions)}
	}
	for i, s := range p.Scopes {
		out.Scopes[i] = Scope{Scope: s.Scope, Description: s.Description, Permissions: clonePermissions(s.Permissions)}
	}
	return out
}

func (r Role) clone() Role {
	return Role{RoleID: r.RoleID, Description: r.Description, Permissions: clonePermissions(r.Permissions)}
}

func clonePermissions(ps []Permission) []Permission {
	out := make([]Permission, len(ps))
	for i, p := range ps {
		out[i] = Permission{ResourceID: p.ResourceID, Actions: cloneStrings(p.Actions)}
	}
	return out
}

func cloneStrings(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	return out
}
