package rbac

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
)

// Size limits. Stytch does not publish its own; these bound every input while
// leaving room for any policy a person would write by hand.
const (
	MaxIDLength             = 128  // role_id, resource_id, scope, action (bytes)
	MaxDescriptionLength    = 1024 // bytes
	MaxPolicyBytes          = 1 << 20
	MaxRoles                = 1000 // project roles, defaults included
	MaxResources            = 1000 // project resources, reserved included
	MaxScopes               = 1000
	MaxOrgRoles             = 100 // custom roles of one organization
	MaxPermissionsPerRole   = 200
	MaxActionsPerPermission = 200 // also the most actions a resource may declare
)

func badRequest(typ, format string, args ...any) *apierr.Error {
	return apierr.BadRequest(typ, fmt.Sprintf(format, args...))
}

// checkID validates an identifier; kind is "role", "resource" or "scope".
func checkID(kind, id string) *apierr.Error {
	emptyType := map[string]string{"role": "empty_rbac_role_id", "resource": "empty_rbac_resource_id", "scope": "empty_rbac_scope"}[kind]
	longType := map[string]string{"role": "rbac_role_id_too_long", "resource": "rbac_resource_id_too_long", "scope": "rbac_scope_too_long"}[kind]
	if strings.TrimSpace(id) == "" {
		return badRequest(emptyType, "Every %s needs a non-empty identifier.", kind)
	}
	if len(id) > MaxIDLength {
		return badRequest(longType, "The %s identifier %.40q... is longer than %d bytes.", kind, id, MaxIDLength)
	}
	if !utf8.ValidString(id) {
		return badRequest("invalid_argument", "The %s identifier %q is not valid UTF-8.", kind, id)
	}
	return nil
}

func checkDescription(owner, d string) *apierr.Error {
	if len(d) > MaxDescriptionLength {
		return badRequest("rbac_description_too_long", "The description of %s is longer than %d bytes.", owner, MaxDescriptionLength)
	}
	return nil
}

// checkDeclaredActions validates the action list a custom resource declares.
func checkDeclaredActions(r Resource) *apierr.Error {
	owner := fmt.Sprintf("resource %q", r.ResourceID)
	if len(r.Actions) == 0 {
		return badRequest("rbac_resource_missing_actions", "The %s declares no actions.", owner)
	}
	if len(r.Actions) > MaxActionsPerPermission {
		return badRequest("invalid_argument", "The %s declares more than %d actions.", owner, MaxActionsPerPermission)
	}
	seen := make(map[string]bool, len(r.Actions))
	for _, a := range r.Actions {
		if err := checkAction(owner, a); err != nil {
			return err
		}
		if a == Wildcard {
			return badRequest("invalid_wildcard_action", "The %s declares the action \"*\"; the wildcard is only valid in a permission.", owner)
		}
		if seen[a] {
			return badRequest("rbac_action_duplicate", "The %s declares the action %q twice.", owner, a)
		}
		seen[a] = true
	}
	return nil
}

func checkAction(owner, a string) *apierr.Error {
	if strings.TrimSpace(a) == "" {
		return badRequest("invalid_permission_action", "The %s lists an empty action.", owner)
	}
	if len(a) > MaxIDLength {
		return badRequest("rbac_action_too_long", "The %s lists an action longer than %d bytes.", owner, MaxIDLength)
	}
	if !utf8.ValidString(a) {
		return badRequest("invalid_argument", "The %s lists an action that is not valid UTF-8.", owner)
	}
	return nil
}

// actionIndex maps resource_id to the set of its declared actions.
type actionIndex map[string]map[string]bool

func indexResources(rs []Resource) actionIndex {
	idx := make(actionIndex, len(rs))
	for _, r := range rs {
		set := make(map[string]bool, len(r.Actions))
		for _, a := range r.Actions {
			set[a] = true
		}
		idx[r.ResourceID] = set
	}
	return idx
}

// checkPermissions validates that every permission names a known resource
// and only actions that resource declares (or the lone wildcard). owner names
// the role or scope for error messages, e.g. `role "auditor"`.
func checkPermissions(owner string, perms []Permission, idx actionIndex) *apierr.Error {
	if len(perms) > MaxPermissionsPerRole {
		return badRequest("invalid_argument", "The %s has more than %d permissions.", owner, MaxPermissionsPerRole)
	}
	for _, p := range perms {
		if strings.TrimSpace(p.ResourceID) == "" {
			return badRequest("empty_rbac_resource_id", "The %s has a permission without a resource_id.", owner)
		}
		declared, ok := idx[p.ResourceID]
		if !ok {
			return badRequest("invalid_permission_resource", "The %s has a permission on resource %.140q, which the policy does not define.", owner, p.ResourceID)
		}
		if len(p.Actions) == 0 {
			return badRequest("rbac_permission_missing_actions", "The %s has a permission on resource %q that lists no actions.", owner, p.ResourceID)
		}
		if len(p.Actions) > MaxActionsPerPermission {
			return badRequest("invalid_argument", "The %s has a permission on resource %q with more than %d actions.", owner, p.ResourceID, MaxActionsPerPermission)
		}
		seen := make(map[string]bool, len(p.Actions))
		for _, a := range p.Actions {
			if err := checkAction(owner, a); err != nil {
				return err
			}
			if a == Wildcard && len(p.Actions) > 1 {
				return badRequest("invalid_wildcard_action", "The %s lists \"*\" together with other actions on resource %q; \"*\" must stand alone.", owner, p.ResourceID)
			}
			if seen[a] {
				return badRequest("rbac_action_duplicate", "The %s lists action %q on resource %q twice.", owner, a, p.ResourceID)
			}
			seen[a] = true
			if a != Wildcard && !declared[a] {
				return badRequest("invalid_permission_action", "The %s lists action %.140q on resource %q, which that resource does not declare.", owner, a, p.ResourceID)
			}
		}
	}
	return nil
}
