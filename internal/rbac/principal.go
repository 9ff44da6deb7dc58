package rbac

import "github.com/seamsso/seam/internal/apierr"

// Principal is who makes a management call, as the domain services see it:
// the project secret alone (fully privileged), or a member session, whose
// organization and roles decide (Stytch's RBAC). The HTTP layer resolves it
// from the request once; every service that changes or reads something on a
// member's behalf calls Require with what the call needs, so the tenancy rule
// and the role check live here and nowhere else.
//
// A principal carries the policy of its project (Policies decides which), so
// that every check made on the caller's behalf uses that one policy and the
// services need not look it up again.
type Principal struct {
	session *SessionRoles // nil: the project secret
	policy  Policy
}

// SessionRoles is what a member session brings to a call.
type SessionRoles struct {
	MemberID string
	OrgID    string   // the session's organization
	Roles    []string // the roles the session holds
	OrgRoles []Role   // the session organization's custom roles
}

// ProjectPrincipal is the project secret acting alone, in a project whose
// policy is policy.
func ProjectPrincipal(policy Policy) Principal { return Principal{policy: policy} }

// SessionPrincipal is a member session acting, in a project whose policy is
// policy.
func SessionPrincipal(s SessionRoles, policy Policy) Principal {
	return Principal{session: &s, policy: policy}
}

// Policy is the RBAC policy of the principal's project; role assignments
// made by the call are validated against it.
func (p Principal) Policy() Policy { return p.policy }

// IsSession reports whether a member session makes the call.
func (p Principal) IsSession() bool { return p.session != nil }

// MemberID is the session's member, "" for the project secret.
func (p Principal) MemberID() string {
	if p.session == nil {
		return ""
	}
	return p.session.MemberID
}

// Need is one action on a resource a call needs. SelfOK: the same action on
// stytch.self also suffices when the call's target member is the session's
// own member.
type Need struct {
	Resource string
	Action   string
	SelfOK   bool
}

// Require checks that the principal may act on organization orgID with
// every need (targetMemberID, when not "", is the member the call acts on,
// for SelfOK). The project secret may do anything. A session must belong to
// orgID (session_authorization_tenancy_error) and hold a role granting each
// need (session_authorization_error); with no needs only tenancy applies.
func (p Principal) Require(orgID, targetMemberID string, needs ...Need) error {
	s := p.session
	if s == nil {
		return nil
	}
	if s.OrgID == "" || s.OrgID != orgID {
		return TenancyError(s.OrgID, orgID)
	}
	for _, n := range needs {
		_, err := Check(p.policy, s.OrgRoles, s.OrgID, s.Roles, AuthorizationCheck{OrganizationID: orgID, ResourceID: n.Resource, Action: n.Action})
		if err != nil && n.SelfOK && targetMemberID != "" && targetMemberID == s.MemberID {
			_, err = Check(p.policy, s.OrgRoles, s.OrgID, s.Roles, AuthorizationCheck{OrganizationID: orgID, ResourceID: ResourceSelf, Action: n.Action})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// RefuseTrustedMetadata is the rule that trusted_metadata is for the backend
// alone: a member session may not set it (Stytch's cannot_update_trusted_metadata).
func (p Principal) RefuseTrustedMetadata(set bool) error {
	if p.session != nil && set {
		return apierr.Unauthorized("cannot_update_trusted_metadata",
			"trusted_metadata cannot be set with a member session; call without session headers.")
	}
	return nil
}
