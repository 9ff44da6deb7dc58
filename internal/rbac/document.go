package rbac

import (
	"encoding/json"
	"strings"
)

// Document is a policy in the shape of Stytch's Programmatic Workspace
// Actions v3 rbac_policy endpoints (GET and PUT
// /pwa/v3/projects/{project_slug}/environments/{environment_slug}/rbac_policy,
// https://stytch.com/docs/api-reference/pwa/api/v3/rbac/get-rbac-policy and
// the policy object at https://stytch.com/docs/workspace-management/pwa/policy-object):
// the two default roles by name, the reserved resources apart (read only),
// and the project's own roles, resources and scopes.
type Document struct {
	StytchMember *Role `json:"stytch_member"`
	StytchAdmin  *Role `json:"stytch_admin"`
	// StytchUser is the consumer vertical's default role; B2B projects
	// (all of Seam's) have none, so it is never answered and a PUT may only
	// send it without permissions.
	StytchUser      *Role              `json:"stytch_user,omitempty"`
	StytchResources []DocumentResource `json:"stytch_resources"`
	CustomRoles     []Role             `json:"custom_roles"`
	CustomResources []DocumentResource `json:"custom_resources"`
	CustomScopes    []Scope            `json:"custom_scopes"`
}

// DocumentResource is a resource as the PWA API writes it: its actions are
// "available_actions".
type DocumentResource struct {
	ResourceID       string   `json:"resource_id"`
	Description      string   `json:"description"`
	AvailableActions []string `json:"available_actions"`
}

// MarshalJSON writes nil lists as [] (see types.go).
func (r DocumentResource) MarshalJSON() ([]byte, error) {
	type plain DocumentResource
	if r.AvailableActions == nil {
		r.AvailableActions = []string{}
	}
	return json.Marshal(plain(r))
}

// MarshalJSON writes nil lists as [].
func (d Document) MarshalJSON() ([]byte, error) {
	type plain Document
	if d.StytchResources == nil {
		d.StytchResources = []DocumentResource{}
	}
	if d.CustomRoles == nil {
		d.CustomRoles = []Role{}
	}
	if d.CustomResources == nil {
		d.CustomResources = []DocumentResource{}
	}
	if d.CustomScopes == nil {
		d.CustomScopes = []Scope{}
	}
	return json.Marshal(plain(d))
}

// DocumentOf is p in the PWA shape.
func DocumentOf(p Policy) Document {
	p = p.Clone()
	d := Document{CustomRoles: []Role{}, CustomScopes: p.Scopes}
	for i := range p.Roles {
		switch r := &p.Roles[i]; r.RoleID {
		case RoleMember:
			d.StytchMember = r
		case RoleAdmin:
			d.StytchAdmin = r
		default:
			d.CustomRoles = append(d.CustomRoles, *r)
		}
	}
	for _, r := range p.Resources {
		dr := DocumentResource{ResourceID: r.ResourceID, Description: r.Description, AvailableActions: r.Actions}
		if strings.HasPrefix(r.ResourceID, ReservedResourcePrefix) {
			d.StytchResources = append(d.StytchResources, dr)
		} else {
			d.CustomResources = append(d.CustomResources, dr)
		}
	}
	return d
}

// FromDocument validates d, a whole policy replacing current (the
// project's policy now), and returns the policy it makes together with the
// document to store for it (the SEAM_RBAC_POLICY file shape, which Of reads
// back). Stytch's rules, as its management API states them:
//
//   - stytch_member and stytch_admin always exist and keep their role_id
//     and description (a different one is invalid_rbac_stytch_role_edit);
//     their permissions are replaced;
//   - stytch_resources are read only: what a PUT sends there is ignored;
//   - custom resources and roles may not use the reserved stytch. and
//     stytch_ prefixes.
//
// Everything else is the validation of the policy file (LoadPolicy): unknown
// resources or actions in a role or scope, duplicates, limits. Removing a role
// that members hold is allowed, as in Stytch: such a role grants nothing.
func FromDocument(current Policy, d Document) (Policy, []byte, error) {
	file := policyFile{Resources: []Resource{}, Scopes: d.CustomScopes}
	for _, def := range []struct {
		id   string
		role *Role
	}{{RoleMember, d.StytchMember}, {RoleAdmin, d.StytchAdmin}} {
		if def.role == nil {
			return Policy{}, nil, badRequest("invalid_argument", "The policy needs %s (its permissions are replaced; send [] for none).", def.id)
		}
		cur, _ := current.Role(def.id)
		if def.role.RoleID != "" && def.role.RoleID != def.id {
			return Policy{}, nil, badRequest("invalid_rbac_stytch_role_edit", "The role_id of %s cannot be changed (got %.140q).", def.id, def.role.RoleID)
		}
		if def.role.Description != "" && def.role.Description != cur.Description {
			return Policy{}, nil, badRequest("invalid_rbac_stytch_role_edit", "The description of %s cannot be changed.", def.id)
		}
		perms := def.role.Permissions
		if perms == nil {
			perms = []Permission{}
		}
		file.Roles = append(file.Roles, fileRole{RoleID: def.id, Description: cur.Description, Permissions: &perms})
	}
	if d.StytchUser != nil && len(d.StytchUser.Permissions) > 0 {
		return Policy{}, nil, badRequest("feature_not_supported_by_seam", "stytch_user is the consumer vertical's role; Seam's projects are B2B and have none.")
	}
	for _, r := range d.CustomRoles {
		if strings.HasPrefix(r.RoleID, ReservedRolePrefix) {
			return Policy{}, nil, badRequest("invalid_rbac_custom_role", "The custom role %.140q uses the reserved prefix %q.", r.RoleID, ReservedRolePrefix)
		}
		perms := r.Permissions
		file.Roles = append(file.Roles, fileRole{RoleID: r.RoleID, Description: r.Description, Permissions: &perms})
	}
	for _, r := range d.CustomResources {
		if strings.HasPrefix(r.ResourceID, ReservedResourcePrefix) {
			return Policy{}, nil, badRequest("invalid_stytch_prefixed_resource", "The custom resource %.140q uses the reserved prefix %q; custom resources need another name.", r.ResourceID, ReservedResourcePrefix)
		}
		file.Resources = append(file.Resources, Resource{ResourceID: r.ResourceID, Description: r.Description, Actions: r.AvailableActions})
	}
	p, aerr := merge(DefaultPolicy(), file)
	if aerr != nil {
		return Policy{}, nil, aerr
	}
	stored, err := json.Marshal(file)
	if err != nil {
		return Policy{}, nil, err
	}
	if len(stored) > MaxPolicyBytes {
		return Policy{}, nil, badRequest("invalid_argument", "The RBAC policy is larger than %d bytes.", MaxPolicyBytes)
	}
	return p, stored, nil
}
