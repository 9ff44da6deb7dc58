package members

import (
	"encoding/json"
	"github.com/seamsso/seam/internal/rbac"

	"github.com/seamsso/seam/internal/opt"
)

// CreateParams is the body of POST .../organizations/{organization_id}/members.
type CreateParams struct {
	EmailAddress          opt.Value[string]          `json:"email_address"`
	Name                  opt.Value[string]          `json:"name"`
	TrustedMetadata       opt.Value[json.RawMessage] `json:"trusted_metadata"`
	UntrustedMetadata     opt.Value[json.RawMessage] `json:"untrusted_metadata"`
	CreateMemberAsPending opt.Value[bool]            `json:"create_member_as_pending"`
	IsBreakglass          opt.Value[bool]            `json:"is_breakglass"`
	MFAPhoneNumber        opt.Value[string]          `json:"mfa_phone_number"`
	MFAEnrolled           opt.Value[bool]            `json:"mfa_enrolled"`
	Roles                 opt.Value[[]string]        `json:"roles"`
	ExternalID            opt.Value[string]          `json:"external_id"`
}

// UpdateParams is the body of PUT .../members/{member_id}. Absent fields are
// unchanged.
type UpdateParams struct {
	Name                     opt.Value[string]          `json:"name"`
	TrustedMetadata          opt.Value[json.RawMessage] `json:"trusted_metadata"`
	UntrustedMetadata        opt.Value[json.RawMessage] `json:"untrusted_metadata"`
	IsBreakglass             opt.Value[bool]            `json:"is_breakglass"`
	MFAPhoneNumber           opt.Value[string]          `json:"mfa_phone_number"`
	MFAEnrolled              opt.Value[bool]            `json:"mfa_enrolled"`
	Roles                    opt.Value[[]string]        `json:"roles"`
	PreserveExistingSessions opt.Value[bool]            `json:"preserve_existing_sessions"`
	DefaultMFAMethod         opt.Value[string]          `json:"default_mfa_method"`
	EmailAddress             opt.Value[string]          `json:"email_address"`
	ExternalID               opt.Value[string]          `json:"external_id"`
	UnlinkEmail              opt.Value[bool]            `json:"unlink_email"`
}

// Actions on stytch.member for the parts of an update; see
// B2BOrganizationsMembersUpdateRequest in the Stytch SDKs. Fields Stytch
// documents no action for (external_id) need every action of the resource,
// i.e. a role with "*" on stytch.member.
// Needs are the actions creating a member with these fields needs
// when a member session makes the call: create, plus what the equivalent
// update of roles, breakglass and external ID would need.
func (p CreateParams) Needs() []rbac.Need {
	const res = "stytch.member"
	out := []rbac.Need{{Resource: res, Action: "create"}}
	if p.Roles.Set && len(p.Roles.V) > 0 {
		out = append(out, rbac.Need{Resource: res, Action: "update.settings.roles"})
	}
	if p.IsBreakglass.Set && p.IsBreakglass.V {
		out = append(out, rbac.Need{Resource: res, Action: "update.settings.is-breakglass"})
	}
	if p.ExternalID.Set {
		out = append(out, rbac.Need{Resource: res, Action: "*"})
	}
	return out
}

func (p UpdateParams) Needs() []rbac.Need {
	const res = "stytch.member"
	var out []rbac.Need
	add := func(set bool, action string, self bool) {
		if set {
			out = append(out, rbac.Need{Resource: res, Action: action, SelfOK: self})
		}
	}
	add(p.Name.Set, "update.info.name", true)
	add(p.UntrustedMetadata.Set, "update.info.untrusted-metadata", true)
	add(p.IsBreakglass.Set, "update.settings.is-breakglass", false)
	add(p.MFAPhoneNumber.Set, "update.info.mfa-phone", true)
	add(p.MFAEnrolled.Set, "update.settings.mfa-enrolled", true)
	add(p.Roles.Set, "update.settings.roles", false)
	add(p.DefaultMFAMethod.Set, "update.settings.default-mfa-method", true)
	add(p.EmailAddress.Set, "update.info.email", false)
	add(p.ExternalID.Set, "*", false)
	return out
}
