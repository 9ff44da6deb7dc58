package sso

import (
	"github.com/seamsso/seam/internal/store"
)

// ImplicitRoles returns the roles a connection grants to everyone who logs
// in through it, and to members of IdP groups. OIDC connections grant none.
func ImplicitRoles(c *store.Connection) (connection []string, groups []GroupRoleAssignment, err error) {
	switch c.Kind {
	case store.KindSAML, store.KindExternal:
		cfg, err := decodeConfig[implicitRoles](c)
		if err != nil {
			return nil, nil, err
		}
		return roleIDs(cfg.ConnectionRoles), cfg.GroupRoles, nil
	}
	return nil, nil, nil
}

// implicitRoles is the part of a SAML or External connection's stored
// configuration (samlConfig, externalConfig: the same keys) that
// ImplicitRoles reads. A member's roles are computed on every login and
// session; decoding only these two keys skips building the rest of the
// document (certificates, sealed keys, metadata).
type implicitRoles struct {
	ConnectionRoles []RoleAssignment      `json:"connection_roles"`
	GroupRoles      []GroupRoleAssignment `json:"group_roles"`
}
