package rbac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
)

// LoadPolicy reads an operator's policy file (SEAM_RBAC_POLICY) in Stytch's
// policy shape, {"roles":[...],"resources":[...],"scopes":[...]}, and merges
// it into DefaultPolicy:
//
//   - custom resources are appended; a resource named stytch.* is refused
//     unless it is one of the reserved resources and declares only actions
//     that resource already has (so a policy exported from Stytch loads);
//   - custom roles are appended; stytch_member and stytch_admin cannot be
//     removed, but a file entry for one replaces its description (when
//     non-empty) and, when "permissions" is present, its permissions — an
//     explicit empty list leaves the role with none;
//   - scopes are taken from the file.
//
// Unknown JSON fields are refused so a misspelt key does not silently drop
// part of the policy. Errors are *apierr.Error values naming the offending
// role, resource, scope or action.
func LoadPolicy(r io.Reader) (Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPolicyBytes+1))
	if err != nil {
		return Policy{}, fmt.Errorf("rbac: read policy: %w", err)
	}
	if len(data) > MaxPolicyBytes {
		return Policy{}, badRequest("invalid_argument", "The RBAC policy is larger than %d bytes.", MaxPolicyBytes)
	}
	var file policyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return Policy{}, apierr.Wrap(err, http.StatusBadRequest, "invalid_argument", "The RBAC policy is not valid JSON in Stytch's policy shape: "+jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Policy{}, badRequest("invalid_argument", "The RBAC policy has data after its JSON object.")
	}
	p, aerr := merge(DefaultPolicy(), file)
	if aerr != nil {
		return Policy{}, aerr
	}
	return p, nil
}

// policyFile differs from Policy only in that a role's permissions are a
// pointer, so "absent" (keep the default role's permissions) and "[]" (no
// permissions) can be told apart.
type policyFile struct {
	Roles     []fileRole `json:"roles"`
	Resources []Resource `json:"resources"`
	Scopes    []Scope    `json:"scopes"`
}

type fileRole struct {
	RoleID      string        `json:"role_id"`
	Description string        `json:"description"`
	Permissions *[]Permission `json:"permissions"`
}

// jsonProblem describes a decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type (%s)", typ.Field, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	default:
		return "malformed document"
	}
}

func merge(base Policy, file policyFile) (Policy, *apierr.Error) {
	if len(file.Resources) > MaxResources || len(file.Roles) > MaxRoles || len(file.Scopes) > MaxScopes {
		return Policy{}, badRequest("invalid_argument", "The RBAC policy has more than %d roles, resources or scopes.", MaxRoles)
	}
	out := base.Clone()

	reserved := indexResources(out.Resources)
	seenRes := make(map[string]bool, len(file.Resources))
	for _, r := range file.Resources {
		if err := checkID("resource", r.ResourceID); err != nil {
			return Policy{}, err
		}
		if seenRes[r.ResourceID] {
			return Policy{}, badRequest("rbac_resource_duplicate", "The resource %q is defined twice.", r.ResourceID)
		}
		seenRes[r.ResourceID] = true
		if strings.HasPrefix(r.ResourceID, ReservedResourcePrefix) {
			actions, ok := reserved[r.ResourceID]
			if !ok {
				return Policy{}, badRequest("invalid_stytch_prefixed_resource", "The resource %q uses the reserved prefix %q; custom resources need another name.", r.ResourceID, ReservedResourcePrefix)
			}
			for _, a := range r.Actions {
				if !actions[a] {
					return Policy{}, badRequest("invalid_stytch_prefixed_resource", "The reserved resource %q has no action %.140q; reserved resources cannot be extended.", r.ResourceID, a)
				}
			}
			continue
		}
		if err := checkDescription(fmt.Sprintf("resource %q", r.ResourceID), r.Description); err != nil {
			return Policy{}, err
		}
		if err := checkDeclaredActions(r); err != nil {
			return Policy{}, err
		}
		out.Resources = append(out.Resources, Resource{ResourceID: r.ResourceID, Description: r.Description, Actions: cloneStrings(r.Actions)})
	}
	if len(out.Resources) > MaxResources {
		return Policy{}, badRequest("invalid_argument", "The RBAC policy has more than %d resources.", MaxResources)
	}
	idx := indexResources(out.Resources)

	seenRole := make(map[string]bool, len(file.Roles))
	for _, r := range file.Roles {
		if err := checkID("role", r.RoleID); err != nil {
			return Policy{}, err
		}
		if seenRole[r.RoleID] {
			return Policy{}, badRequest("rbac_role_duplicate", "The role %q is defined twice.", r.RoleID)
		}
		seenRole[r.RoleID] = true
		owner := fmt.Sprintf("role %q", r.RoleID)
		if err := checkDescription(owner, r.Description); err != nil {
			return Policy{}, err
		}
		if isDefaultRole(r.RoleID) {
			i := roleIndex(out.Roles, r.RoleID)
			if r.Description != "" {
				out.Roles[i].Description = r.Description
			}
			if r.Permissions != nil {
				if err := checkPermissions(owner, *r.Permissions, idx); err != nil {
					return Policy{}, err
				}
				out.Roles[i].Permissions = clonePermissions(*r.Permissions)
			}
			continue
		}
		if strings.HasPrefix(r.RoleID, ReservedRolePrefix) {
			return Policy{}, badRequest("invalid_rbac_custom_role", "The role %q uses the reserved prefix %q; only %s and %s may.", r.RoleID, ReservedRolePrefix, RoleMember, RoleAdmin)
		}
		if r.Permissions == nil || len(*r.Permissions) == 0 {
			return Policy{}, badRequest("rbac_role_missing_permissions", "The role %q has no permissions.", r.RoleID)
		}
		if err := checkPermissions(owner, *r.Permissions, idx); err != nil {
			return Policy{}, err
		}
		out.Roles = append(out.Roles, Role{RoleID: r.RoleID, Description: r.Description, Permissions: clonePermissions(*r.Permissions)})
	}
	if len(out.Roles) > MaxRoles {
		return Policy{}, badRequest("invalid_argument", "The RBAC policy has more than %d roles.", MaxRoles)
	}

	seenScope := make(map[string]bool, len(file.Scopes))
	for _, s := range file.Scopes {
		if err := checkID("scope", s.Scope); err != nil {
			return Policy{}, err
		}
		if seenScope[s.Scope] {
			return Policy{}, badRequest("rbac_scope_duplicate", "The scope %q is defined twice.", s.Scope)
		}
		seenScope[s.Scope] = true
		owner := fmt.Sprintf("scope %q", s.Scope)
		if err := checkDescription(owner, s.Description); err != nil {
			return Policy{}, err
		}
		if len(s.Permissions) == 0 {
			return Policy{}, badRequest("rbac_scope_missing_permissions", "The scope %q has no permissions.", s.Scope)
		}
		if err := checkPermissions(owner, s.Permissions, idx); err != nil {
			return Policy{}, err
		}
		out.Scopes = append(out.Scopes, Scope{Scope: s.Scope, Description: s.Description, Permissions: clonePermissions(s.Permissions)})
	}
	return out, nil
}

func roleIndex(roles []Role, id string) int {
	for i, r := range roles {
		if r.RoleID == id {
			return i
		}
	}
	return -1
}
