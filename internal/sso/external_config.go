package sso

import (
	"encoding/json"

	"github.com/seamsso/seam/internal/store"
)

// externalConfig is the stored shape of an External connection's Config.
// The source connection is store.Connection.SourceID.
type externalConfig struct {
	SourceOrganizationID string                `json:"external_organization_id"`
	ConnectionRoles      []RoleAssignment      `json:"connection_roles"`
	GroupRoles           []GroupRoleAssignment `json:"group_roles"`
}

func decodeExternal(c *store.Connection) (*externalConfig, error) {
	return decodeConfig[externalConfig](c)
}

func (cfg *externalConfig) encode() json.RawMessage { return encodeConfig(cfg) }

// ExternalConnection is Stytch's external connection object.
type ExternalConnection struct {
	OrganizationID                            string                `json:"organization_id"`
	ConnectionID                              string                `json:"connection_id"`
	ExternalOrganizationID                    string                `json:"external_organization_id"`
	ExternalConnectionID                      string                `json:"external_connection_id"`
	DisplayName                               string                `json:"display_name"`
	Status                                    string                `json:"status"`
	ExternalConnectionImplicitRoleAssignments []RoleAssignment      `json:"external_connection_implicit_role_assignments"`
	ExternalGroupImplicitRoleAssignments      []GroupRoleAssignment `json:"external_group_implicit_role_assignments"`
}

// ExternalView renders a stored external connection.
func (s *Service) ExternalView(c *store.Connection) (*ExternalConnection, error) {
	cfg, err := decodeExternal(c)
	if err != nil {
		return nil, err
	}
	return externalView(c, cfg), nil
}

// externalView renders c with its decoded config cfg.
func externalView(c *store.Connection, cfg *externalConfig) *ExternalConnection {
	return &ExternalConnection{
		OrganizationID: c.OrganizationID, ConnectionID: c.ID, ExternalOrganizationID: cfg.SourceOrganizationID,
		ExternalConnectionID: c.SourceID, DisplayName: c.DisplayName, Status: c.Status,
		ExternalConnectionImplicitRoleAssignments: nonNil(cfg.ConnectionRoles),
		ExternalGroupImplicitRoleAssignments:      nonNil(cfg.GroupRoles),
	}
}
