package rbac

import (
	"encoding/json"
	"fmt"

	"github.com/seamsso/seam/internal/apierr"
)

// Authorize reports which of the subject's roles grant action on resourceID.
// Project roles are considered first, then the organization's custom roles;
// grantingRoles keeps that order without duplicates and is nil when ok is
// false. Subject roles that neither defines are ignored. An organization role
// whose ID is also a project role is skipped, so an organization can never
// widen a project role (ValidateOrgRoles refuses such roles in the first
// place).
func Authorize(p Policy, orgRoles []Role, subjectRoles []string, resourceID, action string) (grantingRoles []string, ok bool) {
	if resourceID == "" || action == "" || len(subjectRoles) == 0 {
		return nil, false
	}
	has := make(map[string]bool, len(subjectRoles))
	for _, r := range subjectRoles {
		has[r] = true
	}
	granted := make(map[string]bool)
	consider := func(r Role) {
		if has[r.RoleID] && !granted[r.RoleID] && grants(r, resourceID, action) {
			granted[r.RoleID] = true
			grantingRoles = append(grantingRoles, r.RoleID)
		}
	}
	projectRoles := make(map[string]bool, len(p.Roles))
	for _, r := range p.Roles {
		projectRoles[r.RoleID] = true
		consider(r)
	}
	for _, r := range orgRoles {
		if !projectRoles[r.RoleID] {
			consider(r)
		}
	}
	return grantingRoles, len(grantingRoles) > 0
}

// grants is the per-role rule the Stytch SDKs apply: some permission names
// the resource and lists "*" or the action.
func grants(r Role, resourceID, action string) bool {
	for _, perm := range r.Permissions {
		if perm.ResourceID != resourceID {
			continue
		}
		for _, a := range perm.Actions {
			if a == Wildcard || a == action {
				return true
			}
		}
	}
	return false
}

// AuthorizationCheck is the authorization_check object of
// POST /v1/b2b/sessions/authenticate, and what the member-session headers on
// management endpoints amount to.
type AuthorizationCheck struct {
	OrganizationID string `json:"organization_id"`
	ResourceID     string `json:"resource_id"`
	Action         string `json:"action"`
}

// Verdict is the verdict object returned by sessions/authenticate when an
// authorization check passes.
type Verdict struct {
	Authorized    bool     `json:"authorized"`
	GrantingRoles []string `json:"granting_roles"`
}

// MarshalJSON writes a nil GrantingRoles as [] for SDKs that iterate it.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict
	if v.GrantingRoles == nil {
		v.GrantingRoles = []string{}
	}
	return json.Marshal(plain(v))
}

// Check runs a complete authorization check for a session subject: the
// tenancy rule first, then Authorize. On success the verdict lists the
// granting roles; on failure the error is a 403 *apierr.Error of type
// session_authorization_tenancy_error or session_authorization_error with
// Stytch's messages. The error is returned as the error interface so that a
// nil result compares equal to nil.
func Check(p Policy, orgRoles []Role, subjectOrgID string, subjectRoles []string, req AuthorizationCheck) (Verdict, error) {
	// An empty subject organization can never be a tenant of anything, even
	// of a request that (wrongly) names no organization.
	if subjectOrgID == "" || subjectOrgID != req.OrganizationID {
		return Verdict{}, TenancyError(subjectOrgID, req.OrganizationID)
	}
	roles, ok := Authorize(p, orgRoles, subjectRoles, req.ResourceID, req.Action)
	if !ok {
		return Verdict{}, PermissionError()
	}
	return Verdict{Authorized: true, GrantingRoles: roles}, nil
}

// TenancyError is Stytch's 403 for a session used against another
// organization.
func TenancyError(subjectOrgID, requestOrgID string) *apierr.Error {
	return apierr.Forbidden("session_authorization_tenancy_error",
		fmt.Sprintf("Subject organization_id %s does not match authZ request organization_id %s", clip(subjectOrgID), clip(requestOrgID)))
}

// clip bounds caller-supplied identifiers echoed in messages; real IDs are
// far shorter than the limit.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// PermissionError is Stytch's 403 for a subject none of whose roles grant the
// requested action.
func PermissionError() *apierr.Error {
	return apierr.Forbidden("session_authorization_error",
		"The Member is not authorized to perform the requested action on that resource.")
}
