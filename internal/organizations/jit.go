package organizations

import (
	"context"
	"slices"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/store"
)

// DropJITConnection removes a deleted connection from the organization's
// sso_jit_provisioning_allowed_connections. o must be locked by the caller's
// transaction q.
func DropJITConnection(ctx context.Context, q store.Queries, o *store.Organization, connID string) error {
	st := decodeSettings(o.Settings)
	i := slices.Index(st.SSOJITProvisioningAllowedConnections, connID)
	if i < 0 {
		return nil
	}
	st.SSOJITProvisioningAllowedConnections = slices.Delete(st.SSOJITProvisioningAllowedConnections, i, i+1)
	o.Settings = mustJSON(st)
	if err := q.UpdateOrganization(ctx, o); err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// JITAllowedConnections returns the organization's JIT allow-list.
func JITAllowedConnections(o *store.Organization) []string {
	return decodeSettings(o.Settings).SSOJITProvisioningAllowedConnections
}
