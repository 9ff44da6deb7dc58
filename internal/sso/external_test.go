package sso

import (
	"testing"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

func TestCheckRolesAgainstSource(t *testing.T) {
	samlWith := func(mapping map[string]string) *store.Connection {
		return &store.Connection{Kind: store.KindSAML, Config: (&samlConfig{AttributeMapping: mapping}).encode()}
	}
	oidcSrc := &store.Connection{Kind: store.KindOIDC, Config: (&oidcConfig{}).encode()}
	conn := []RoleAssignment{{RoleID: "stytch_admin"}}
	group := []GroupRoleAssignment{{RoleID: "stytch_admin", Group: "admins"}}
	tests := []struct {
		name string
		src  *store.Connection
		cfg  externalConfig
		want string
	}{
		{"saml, no roles", samlWith(nil), externalConfig{}, ""},
		{"saml, connection roles without groups key", samlWith(map[string]string{"email": "mail"}), externalConfig{ConnectionRoles: conn}, ""},
		{"saml, group roles with groups key", samlWith(map[string]string{"groups": "memberOf"}), externalConfig{GroupRoles: group}, ""},
		{"saml, group roles without groups key", samlWith(map[string]string{"email": "mail"}), externalConfig{GroupRoles: group}, "saml_connection_attribute_mapping_missing_groups_key"},
		{"saml, group roles with empty groups value", samlWith(map[string]string{"groups": ""}), externalConfig{GroupRoles: group}, "saml_connection_attribute_mapping_missing_groups_key"},
		{"oidc, no roles", oidcSrc, externalConfig{ConnectionRoles: []RoleAssignment{}, GroupRoles: []GroupRoleAssignment{}}, ""},
		{"oidc, group roles", oidcSrc, externalConfig{GroupRoles: group}, "invalid_rbac_role_assignment"},
		{"oidc, connection roles", oidcSrc, externalConfig{ConnectionRoles: conn}, "invalid_rbac_role_assignment"},
		{"corrupt saml config", &store.Connection{Kind: store.KindSAML, Config: []byte("{")}, externalConfig{GroupRoles: group}, "internal_server_error"},
	}
	for _, tc := range tests {
		err := checkRolesAgainstSource(tc.src, &tc.cfg)
		if (tc.want == "" && err != nil) || (tc.want != "" && apierr.TypeOf(err) != tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
