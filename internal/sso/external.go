package sso

import (
	"context"
	"errors"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/store"
)

// ExternalCreate is the body of Create External Connection. The role
// fields are not prefixed with external_ here, unlike on update (Stytch's
// API, see the reference §1.3).
type ExternalCreate struct {
	ExternalOrganizationID            string                `json:"external_organization_id"`
	ExternalConnectionID              string                `json:"external_connection_id"`
	DisplayName                       opt.Value[string]     `json:"display_name"`
	ConnectionImplicitRoleAssignments []RoleAssignment      `json:"connection_implicit_role_assignments"`
	GroupImplicitRoleAssignments      []GroupRoleAssignment `json:"group_implicit_role_assignments"`
}

// CreateExternal creates a connection in org that logs members in through
// another organization's SAML or OIDC connection (the source). The source
// must be an active SAML or OIDC connection of a different organization of
// the same project, and org may hold at most one external connection per
// source. External connections are always active.
func (s *Service) CreateExternal(ctx context.Context, p *store.Project, org *store.Organization, in ExternalCreate) (*store.Connection, error) {
	display := in.DisplayName.Or("")
	if err := validateDisplayName(display); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.ExternalOrganizationID) == "" {
		return nil, apierr.BadRequest("invalid_request_value", "external_organization_id is required: the organization whose SSO connection members log in through.")
	}
	if strings.TrimSpace(in.ExternalConnectionID) == "" {
		return nil, apierr.BadRequest("invalid_request_value", "external_connection_id is required: the SAML or OIDC connection members log in through.")
	}
	cfg := &externalConfig{ConnectionRoles: in.ConnectionImplicitRoleAssignments, GroupRoles: in.GroupImplicitRoleAssignments}
	if err := s.validateExternalRoles(p, org, cfg); err != nil {
		return nil, err
	}
	var out *store.Connection
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		srcOrg, err := q.GetOrganization(ctx, org.ProjectID, in.ExternalOrganizationID)
		if errors.Is(err, store.ErrNotFound) {
			return apierr.NotFound("organization_not_found",
				"external_organization_id "+apierr.Quote(in.ExternalOrganizationID)+" is not an organization of this project.")
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if srcOrg.ID == org.ID {
			return apierr.BadRequest("external_organization_id_same_as_organization_id",
				"external_organization_id must be a different organization: an organization's own connections need no external connection.")
		}
		// Locking the source serialises concurrent creates for it, so the
		// one-per-organization check below cannot be raced, and keeps it
		// from being deleted before this connection references it.
		var src *store.Connection
		if IsConnectionID("", in.ExternalConnectionID) {
			src, err = q.GetConnectionForUpdate(ctx, org.ProjectID, in.ExternalConnectionID)
		} else {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) || (err == nil && src.OrganizationID != srcOrg.ID) {
			return apierr.NotFound("external_connection_id_not_found",
				"external_connection_id "+apierr.Quote(in.ExternalConnectionID)+" is not an SSO connection of the external organization.")
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if src.Kind != store.KindSAML && src.Kind != store.KindOIDC {
			return apierr.NotFound("external_connection_id_not_found",
				"external_connection_id "+apierr.Quote(in.ExternalConnectionID)+" is an External connection; an External connection must point at a SAML or OIDC connection.")
		}
		if src.Status != "active" {
			return apierr.BadRequest("external_connection_not_active",
				"The connection external_connection_id names is not active yet; finish configuring it before sharing it.")
		}
		if err := checkRolesAgainstSource(src, cfg); err != nil {
			return err
		}
		// The organization is locked after the source, the order in which
		// deleting the source locks them (see reserveConnection).
		if err := reserveConnection(ctx, q, org); err != nil {
			return err
		}
		siblings, err := q.ListConnectionsBySource(ctx, org.ProjectID, src.ID)
		if err != nil {
			return apierr.Internal(err)
		}
		for _, sib := range siblings {
			if sib.OrganizationID == org.ID {
				return apierr.BadRequest("duplicate_external_sso_connection",
					"This organization already has an external connection ("+sib.ID+") for that SSO connection.")
			}
		}
		cfg.SourceOrganizationID = srcOrg.ID
		out, err = s.insert(ctx, q, org, &store.Connection{ID: s.IDs.New(ids.ExternalConnection, env(p)), Kind: store.KindExternal,
			Status: "active", DisplayName: display, SourceID: src.ID, Config: cfg.encode()})
		return err
	})
	return out, err
}

// ExternalUpdate is the body of Update External Connection (seed 000).
// Every field is optional; an absent (or null) field is left unchanged.
type ExternalUpdate struct {
	ConnectionID                              string                           `json:"connection_id"`
	DisplayName                               opt.Value[string]                `json:"display_name"`
	ExternalConnectionImplicitRoleAssignments opt.Value[[]RoleAssignment]      `json:"external_connection_implicit_role_assignments"`
	ExternalGroupImplicitRoleAssignments      opt.Value[[]GroupRoleAssignment] `json:"external_group_implicit_role_assignments"`
}

// UpdateExternal applies a partial update under a row lock; on error
// nothing changes.
func (s *Service) UpdateExternal(ctx context.Context, p *store.Project, org *store.Organization, id string, in ExternalUpdate) (*Updated, error) {
	if err := apierr.CheckBodyID("connection_id", id, in.ConnectionID); err != nil {
		return nil, err
	}
	if in.DisplayName.Has() {
		if err := validateDisplayName(in.DisplayName.V); err != nil {
			return nil, err
		}
	}
	return s.mutate(ctx, org, store.KindExternal, id, func(q store.Queries, c *store.Connection) (func() any, error) {
		cfg, err := decodeExternal(c)
		if err != nil {
			return nil, apierr.Internal(err)
		}
		if in.DisplayName.Has() {
			c.DisplayName = in.DisplayName.V
		}
		if in.ExternalConnectionImplicitRoleAssignments.Has() {
			cfg.ConnectionRoles = in.ExternalConnectionImplicitRoleAssignments.V
		}
		if in.ExternalGroupImplicitRoleAssignments.Has() {
			cfg.GroupRoles = in.ExternalGroupImplicitRoleAssignments.V
		}
		if in.ExternalConnectionImplicitRoleAssignments.Has() || in.ExternalGroupImplicitRoleAssignments.Has() {
			if err := s.validateExternalRoles(p, org, cfg); err != nil {
				return nil, err
			}
			src, err := q.GetConnection(ctx, org.ProjectID, c.SourceID)
			if err != nil {
				// The source cannot be missing: deleting it deletes c.
				return nil, apierr.Internal(err)
			}
			if err := checkRolesAgainstSource(src, cfg); err != nil {
				return nil, err
			}
		}
		c.Config = cfg.encode()
		c.Status = "active"
		return func() any { return externalView(c, cfg) }, nil
	})
}

// validateExternalRoles checks role IDs against the external connection's
// own organization (where the roles are granted), and group names.
func (s *Service) validateExternalRoles(p *store.Project, org *store.Organization, cfg *externalConfig) error {
	if err := s.validateRoles(p, org, roleIDs(cfg.ConnectionRoles)); err != nil {
		return err
	}
	gids, err := groupRoleIDs(cfg.GroupRoles)
	if err != nil {
		return err
	}
	return s.validateRoles(p, org, gids)
}

// checkRolesAgainstSource applies the rules that depend on the source:
// an OIDC source supports no implicit roles (Stytch: "Implicit role
// assignments are not supported for External connections if the
// underlying SSO connection is an OIDC connection"), and group roles need
// the source SAML connection to map a "groups" attribute.
func checkRolesAgainstSource(src *store.Connection, cfg *externalConfig) error {
	switch src.Kind {
	case store.KindOIDC:
		if len(cfg.ConnectionRoles) > 0 || len(cfg.GroupRoles) > 0 {
			return apierr.BadRequest("invalid_rbac_role_assignment",
				"Implicit role assignments are not supported for external connections whose underlying connection is an OIDC connection.")
		}
	case store.KindSAML:
		if len(cfg.GroupRoles) == 0 {
			return nil
		}
		scfg, err := decodeSAML(src)
		if err != nil {
			return apierr.Internal(err)
		}
		if scfg.AttributeMapping["groups"] == "" {
			return apierr.BadRequest("saml_connection_attribute_mapping_missing_groups_key",
				"Group implicit role assignments need a \"groups\" key in the underlying SAML connection's attribute_mapping.")
		}
	}
	return nil
}

// detachExternals prepares the deletion of a source connection: the external
// connections that log in through it (which the store deletes with it) are
// removed from their organizations' sso_default_connection_id and JIT
// allow-lists, so that no organization is left naming a connection that no
// longer exists. q must be the deleting transaction.
func (s *Service) detachExternals(ctx context.Context, q store.Queries, projectID, sourceID string) error {
	ext, err := q.ListConnectionsBySource(ctx, projectID, sourceID)
	if err != nil {
		return apierr.Internal(err)
	}
	for _, c := range ext {
		o, err := q.GetOrganizationForUpdate(ctx, projectID, c.OrganizationID)
		if err != nil {
			return apierr.Internal(err)
		}
		if o.SSODefaultConnectionID == c.ID {
			o.SSODefaultConnectionID = ""
			if err := q.UpdateOrganization(ctx, o); err != nil {
				return apierr.Internal(err)
			}
		}
		if err := organizations.DropJITConnection(ctx, q, o, c.ID); err != nil {
			return err
		}
		// The store deletes c with its source: its delete is an event too.
		if err := s.record(ctx, q, c, events.Delete); err != nil {
			return err
		}
	}
	return nil
}
