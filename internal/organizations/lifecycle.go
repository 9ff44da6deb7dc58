package organizations

import (
	"context"

	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// DeleteExternalID clears the organization's external ID (Stytch's Delete
// Organization External ID): an update of organization_external_id to
// nothing, with that update's authorization (every stytch.organization
// action for a member session). An organization without one is returned
// unchanged.
func (s *Service) DeleteExternalID(ctx context.Context, pr rbac.Principal, projectID, ref string) (*store.Organization, error) {
	return s.Update(ctx, pr, projectID, ref, Fields{OrganizationExternalID: opt.Of("")}, nil)
}

// AuthRules are the settings that decide which authentications the
// organization accepts, for the session exchange.
type AuthRules struct {
	// Restricted: auth_methods is RESTRICTED, and only AllowedAuthMethods
	// may be used (breakglass members are exempt, as Stytch documents).
	Restricted         bool
	AllowedAuthMethods []string
	// MFARequired: mfa_policy REQUIRED_FOR_ALL.
	MFARequired bool
}

// AuthRulesOf reads the organization's authentication rules.
func AuthRulesOf(o *store.Organization) AuthRules {
	st := decodeSettings(o.Settings)
	return AuthRules{
		Restricted: st.AuthMethods == "RESTRICTED", AllowedAuthMethods: nonNil(st.AllowedAuthMethods),
		MFARequired: st.MFAPolicy == "REQUIRED_FOR_ALL",
	}
}
