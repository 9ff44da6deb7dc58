package members

import (
	"context"
	"slices"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/sso"
	"github.com/seamsso/seam/internal/store"
)

// Role source types (Stytch's MemberRoleSource.type).
const (
	SourceDirect        = "direct_assignment"
	SourceEmail         = "email_assignment"
	SourceSSOConnection = "sso_connection"
	SourceSSOGroup      = "sso_connection_group"
)

// RoleSource says why a member holds a role.
type RoleSource struct {
	Type    string            `json:"type"`
	Details map[string]string `json:"details"`
}

// MemberRole is a role of a member with every source that grants it.
type MemberRole struct {
	RoleID  string       `json:"role_id"`
	Sources []RoleSource `json:"sources"`
}

// RegistrationRoles is what one SSO registration contributes: the implicit
// roles of its connection and the IdP groups of the member's last login.
type RegistrationRoles struct {
	ConnectionID    string
	ConnectionRoles []string
	GroupRoles      []sso.GroupRoleAssignment
	Groups          []string
}

// ComputeRoles derives a member's roles and their sources; see the package
// documentation for the rules. stytch_member comes first, then direct,
// email and SSO roles in that order; a role granted several ways is listed
// once with all its sources.
func ComputeRoles(p rbac.Policy, org *store.Organization, m *store.Member, regs []RegistrationRoles, scim ...*store.SCIMRegistration) []MemberRole {
	custom := organizations.CustomRoles(org)
	var out []MemberRole
	index := map[string]int{}
	add := func(roleID string, src RoleSource) {
		if !p.RoleExists(roleID, custom) {
			return
		}
		i, ok := index[roleID]
		if !ok {
			index[roleID] = len(out)
			out = append(out, MemberRole{RoleID: roleID})
			i = len(out) - 1
		}
		if !slices.ContainsFunc(out[i].Sources, func(s RoleSource) bool { return sameSource(s, src) }) {
			out[i].Sources = append(out[i].Sources, src)
		}
	}
	add(rbac.RoleMember, RoleSource{Type: SourceDirect, Details: map[string]string{}})
	for _, r := range m.Roles {
		add(r, RoleSource{Type: SourceDirect, Details: map[string]string{}})
	}
	domain := EmailDomain(m.Email)
	for _, a := range organizations.EmailRoleAssignments(org) {
		if domain != "" && a.Domain == domain {
			add(a.RoleID, RoleSource{Type: SourceEmail, Details: map[string]string{"email_domain": a.Domain}})
		}
	}
	for _, r := range regs {
		for _, id := range r.ConnectionRoles {
			add(id, RoleSource{Type: SourceSSOConnection, Details: map[string]string{"connection_id": r.ConnectionID}})
		}
		for _, g := range r.GroupRoles {
			if slices.Contains(r.Groups, g.Group) {
				add(g.RoleID, RoleSource{Type: SourceSSOGroup, Details: map[string]string{"connection_id": r.ConnectionID, "group": g.Group}})
			}
		}
	}
	for _, r := range scim {
		for _, g := range r.GroupRoles {
			if slices.Contains(r.GroupIDs, g.GroupID) {
				add(g.RoleID, RoleSource{Type: SourceSCIMGroup, Details: map[string]string{"connection_id": r.User.ConnectionID, "group_id": g.GroupID}})
			}
		}
	}
	return out
}

func sameSource(a, b RoleSource) bool {
	if a.Type != b.Type || len(a.Details) != len(b.Details) {
		return false
	}
	for k, v := range a.Details {
		if b.Details[k] != v {
			return false
		}
	}
	return true
}

// SessionRoles returns the role IDs a session of the member holds: every
// role with a source that is not SSO-based, or with an SSO source whose
// connection is among factorConnections (the connections of the session's
// SSO authentication factors).
func SessionRoles(roles []MemberRole, factorConnections []string) []string {
	out := []string{}
	for _, r := range roles {
		for _, src := range r.Sources {
			if src.Type != SourceSSOConnection && src.Type != SourceSSOGroup ||
				slices.Contains(factorConnections, src.Details["connection_id"]) {
				out = append(out, r.RoleID)
				break
			}
		}
	}
	return out
}

// Roles loads what the member's roles derive from and computes them. regs
// are the member's registrations (loaded when nil).
func (s *Service) Roles(ctx context.Context, q store.Queries, policy rbac.Policy, org *store.Organization, m *store.Member, regs []*store.SSORegistration) ([]MemberRole, error) {
	if regs == nil {
		var err error
		if regs, err = q.ListSSORegistrations(ctx, m.ProjectID, m.ID); err != nil {
			return nil, apierr.Internal(err)
		}
	}
	conns, err := connectionsOf(ctx, q, m.ProjectID, regs)
	if err != nil {
		return nil, err
	}
	scim, err := q.ListSCIMRegistrations(ctx, m.ProjectID, m.ID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return rolesFrom(policy, org, m, regs, conns, scim...)
}

// connectionsOf loads the connections of regs in one query, keyed by ID.
func connectionsOf(ctx context.Context, q store.Queries, projectID string, regs []*store.SSORegistration) (map[string]*store.Connection, error) {
	var ids []string
	seen := map[string]bool{}
	for _, r := range regs {
		if !seen[r.ConnectionID] {
			seen[r.ConnectionID] = true
			ids = append(ids, r.ConnectionID)
		}
	}
	cs, err := q.GetConnections(ctx, projectID, ids...)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := make(map[string]*store.Connection, len(cs))
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
}

// rolesFrom computes the member's roles from its registrations and their
// connections, without queries.
func rolesFrom(policy rbac.Policy, org *store.Organization, m *store.Member, regs []*store.SSORegistration, conns map[string]*store.Connection, scim ...*store.SCIMRegistration) ([]MemberRole, error) {
	inputs := make([]RegistrationRoles, 0, len(regs))
	for _, r := range regs {
		c, ok := conns[r.ConnectionID]
		if !ok {
			continue // deleted concurrently; its registrations go with it
		}
		connRoles, groupRoles, err := sso.ImplicitRoles(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		inputs = append(inputs, RegistrationRoles{
			ConnectionID: r.ConnectionID, ConnectionRoles: connRoles, GroupRoles: groupRoles,
			Groups: GroupsFromAttributes(r.Attributes),
		})
	}
	return ComputeRoles(policy, org, m, inputs, scim...), nil
}

// validateRoles checks direct role assignments and returns them without
// duplicates and without stytch_member, which every member holds anyway.
func validateRoles(policy rbac.Policy, org *store.Organization, roles []string) ([]string, error) {
	if len(roles) > rbac.MaxRoles {
		return nil, apierr.BadRequest("invalid_rbac_role_id", "Too many roles.")
	}
	custom := organizations.CustomRoles(org)
	out := []string{}
	for _, r := range roles {
		if err := policy.ValidateRoleIDs(custom, r); err != nil {
			return nil, err
		}
		if r != rbac.RoleMember && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// policy is the RBAC policy of project projectID, read through q (callers
// holding a principal use its policy instead and save the query).
func (s *Service) policy(ctx context.Context, q store.Queries, projectID string) (rbac.Policy, error) {
	p, err := s.Policies.For(ctx, q, projectID)
	if err != nil {
		return rbac.Policy{}, apierr.Internal(err)
	}
	return p, nil
}
