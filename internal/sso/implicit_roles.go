package sso

import (
	"github.com/seamsso/seam/internal/store"
)

// ImplicitRoles returns the roles a connection grants to everyone who logs
// in through it, and to members of IdP groups. OIDC connections grant none.
func ImplicitRoles(c *store.Connection) (connection []string, groups []GroupRoleAssignment, err error) {
	switch c.Kind {
	case store.KindSAML:
		cfg, err := decodeSAML(c)
		if err != nil {
			return nil, nil, err
		}
		return roleIDs(cfg.ConnectionRoles), cfg.GroupRoles, nil
	case store.KindExternal:
		cfg, err := decodeExternal(c)
		if err != nil {
			return nil, nil, err
		}
		return roleIDs(cfg.ConnectionRoles), cfg.GroupRoles, nil
	}
	return nil, nil, nil
}
