package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/ids"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/rbac"
	"github.com/seamsso/seam/internal/store"
)

// Service implements the organization rules over a store.
type Service struct {
	Store store.Store
	Now   func() time.Time
	IDs   ids.Generator
	// Hooks connect the organization rules to other domains; wired once,
	// where the services are built (internal/app).
	Hooks Hooks
	// Events records organization changes in their transactions (nil: none).
	Events *events.Recorder
}

// Fields are the settable organization fields shared by create and update.
// Absent fields are left unchanged (update) or defaulted (create).
type Fields struct {
	OrganizationName                     opt.Value[string]                `json:"organization_name"`
	OrganizationSlug                     opt.Value[string]                `json:"organization_slug"`
	OrganizationLogoURL                  opt.Value[string]                `json:"organization_logo_url"`
	OrganizationExternalID               opt.Value[string]                `json:"organization_external_id"`
	TrustedMetadata                      opt.Value[json.RawMessage]       `json:"trusted_metadata"`
	SSOJITProvisioning                   opt.Value[string]                `json:"sso_jit_provisioning"`
	SSOJITProvisioningAllowedConnections opt.Value[[]string]              `json:"sso_jit_provisioning_allowed_connections"`
	SSODefaultConnectionID               opt.Value[string]                `json:"sso_default_connection_id"`
	EmailAllowedDomains                  opt.Value[[]string]              `json:"email_allowed_domains"`
	EmailJITProvisioning                 opt.Value[string]                `json:"email_jit_provisioning"`
	EmailInvites                         opt.Value[string]                `json:"email_invites"`
	AuthMethods                          opt.Value[string]                `json:"auth_methods"`
	AllowedAuthMethods                   opt.Value[[]string]              `json:"allowed_auth_methods"`
	MFAPolicy                            opt.Value[string]                `json:"mfa_policy"`
	MFAMethods                           opt.Value[string]                `json:"mfa_methods"`
	AllowedMFAMethods                    opt.Value[[]string]              `json:"allowed_mfa_methods"`
	RBACEmailImplicitRoleAssignments     opt.Value[[]EmailRoleAssignment] `json:"rbac_email_implicit_role_assignments"`
	OAuthTenantJITProvisioning           opt.Value[string]                `json:"oauth_tenant_jit_provisioning"`
	ClaimedEmailDomains                  opt.Value[[]string]              `json:"claimed_email_domains"`
	FirstPartyConnectedAppsAllowedType   opt.Value[string]                `json:"first_party_connected_apps_allowed_type"`
	AllowedFirstPartyConnectedApps       opt.Value[[]string]              `json:"allowed_first_party_connected_apps"`
	ThirdPartyConnectedAppsAllowedType   opt.Value[string]                `json:"third_party_connected_apps_allowed_type"`
	AllowedThirdPartyConnectedApps       opt.Value[[]string]              `json:"allowed_third_party_connected_apps"`
	AllowedOAuthTenants                  opt.Value[map[string][]string]   `json:"allowed_oauth_tenants"`
}

// Hooks lets other domains take part in organization rules without this
// package depending on them.
type Hooks struct {
	// ConnectionBelongs reports whether connectionID is an SSO connection of
	// the organization (used for sso_default_connection_id and the JIT
	// allow-list).
	ConnectionBelongs func(ctx context.Context, q store.Queries, projectID, orgID, connectionID string) (bool, error)
	// RoleExists reports whether roleID is a role of the project's policy
	// (read through q, the change's transaction) or of the organization.
	RoleExists func(ctx context.Context, q store.Queries, projectID string, org *store.Organization, roleID string) (bool, error)
	// BeforeDelete runs inside the delete transaction, with the organization
	// locked, before its rows go.
	BeforeDelete func(ctx context.Context, q store.Queries, o *store.Organization) error
	// Active lists the organization's active SSO connections through q,
	// for the organization object in events.
	Active func(ctx context.Context, q store.Queries, o *store.Organization) ([]ActiveConnection, error)
}

// Created is a new organization with its API object (View) encoded once,
// for both its event and the caller's response.
type Created struct {
	*store.Organization
	// Object is View(organization, no active connections) as JSON.
	Object json.RawMessage
}

// Create validates and stores a new organization.
func (s *Service) Create(ctx context.Context, project *store.Project, f Fields) (*Created, error) {
	if !f.OrganizationName.Has() {
		return nil, apierr.BadRequest("organization_name_missing", "organization_name is required.")
	}
	if !f.OrganizationSlug.Has() {
		return nil, apierr.BadRequest("invalid_organization_slug", "organization_slug is required.")
	}
	if f.SSODefaultConnectionID.Has() && f.SSODefaultConnectionID.V != "" {
		return nil, apierr.BadRequest("invalid_sso_default_connection_id",
			"A new organization has no SSO connections; set sso_default_connection_id with Update Organization.")
	}
	now := s.Now()
	o := &store.Organization{
		ProjectID: project.ID, ID: s.IDs.New(ids.Organization, ids.Environment(project.Environment)),
		SSOJITProvisioning: "ALL_ALLOWED", TrustedMetadata: json.RawMessage("{}"),
		Settings: mustJSON(defaultSettings()), CustomRoles: json.RawMessage("[]"),
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.apply(ctx, s.Store, o, f, s.Hooks); err != nil {
		return nil, err
	}
	// The event rides on the insert (one statement on PostgreSQL): the new
	// organization's object is known before it is written. A new
	// organization has no connections.
	obj, err := json.Marshal(View(o, nil))
	if err != nil {
		return nil, apierr.Internal(err)
	}
	ev, err := s.Events.Event(ctx, events.Change{ProjectID: o.ProjectID, OrganizationID: o.ID,
		ObjectType: events.ObjectOrganization, ObjectID: o.ID, Action: events.Create, Object: json.RawMessage(obj)})
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateOrganization(ctx, o, ev); err != nil {
		return nil, conflictError(err)
	}
	return &Created{Organization: o, Object: obj}, nil
}

// Get resolves ref (ID, slug or external ID) within the project.
func (s *Service) Get(ctx context.Context, q store.Queries, projectID, ref string) (*store.Organization, error) {
	o, err := q.GetOrganization(ctx, projectID, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(ref)
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return o, nil
}

// Update applies a partial update under a row lock; on any error nothing is
// written. A member session needs the actions the fields need (RBAC per
// field); check, when set, sees the locked organization after that (the
// HTTP layer's body/path ID check).
func (s *Service) Update(ctx context.Context, pr rbac.Principal, projectID, ref string, f Fields,
	check func(o *store.Organization) error) (*store.Organization, error) {
	var out *store.Organization
	authorize := func(o *store.Organization) error {
		if err := s.authorizeUpdate(pr, o, f); err != nil {
			return err
		}
		if check != nil {
			return check(o)
		}
		return nil
	}
	err := s.locked(ctx, projectID, ref, authorize, func(q store.Queries, o *store.Organization) error {
		if err := s.apply(ctx, q, o, f, s.Hooks); err != nil {
			return err
		}
		o.UpdatedAt = s.Now()
		if err := q.UpdateOrganization(ctx, o); err != nil {
			return conflictError(err)
		}
		out = o
		return s.record(ctx, q, o, events.Update)
	})
	return out, err
}

// Delete removes the organization and, through foreign keys, everything it
// owns; Hooks.BeforeDelete lets other domains clean up references to it first.
func (s *Service) Delete(ctx context.Context, pr rbac.Principal, projectID, ref string) (string, error) {
	var id string
	authorize := func(o *store.Organization) error {
		return pr.Require(o.ID, "", rbac.Need{Resource: rbac.ResourceOrganization, Action: "delete"})
	}
	err := s.locked(ctx, projectID, ref, authorize, func(q store.Queries, o *store.Organization) error {
		id = o.ID
		if s.Hooks.BeforeDelete != nil {
			if err := s.Hooks.BeforeDelete(ctx, q, o); err != nil {
				return err
			}
		}
		if err := q.DeleteOrganization(ctx, projectID, o.ID); err != nil {
			return err
		}
		return s.record(ctx, q, o, events.Delete)
	})
	return id, err
}

// locked runs fn in a transaction holding the organization's row lock,
// after authorize (when set) has accepted the locked organization.
func (s *Service) locked(ctx context.Context, projectID, ref string, authorize func(o *store.Organization) error,
	fn func(q store.Queries, o *store.Organization) error) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		o, err := q.GetOrganizationForUpdate(ctx, projectID, ref)
		if errors.Is(err, store.ErrNotFound) {
			return NotFound(ref)
		}
		if err != nil {
			return apierr.Internal(err)
		}
		if authorize != nil {
			if err := authorize(o); err != nil {
				return err
			}
		}
		return fn(q, o)
	})
}

// NotFound is the error for an unknown organization reference.
func NotFound(ref string) *apierr.Error {
	return apierr.NotFound("organization_not_found", "Organization "+apierr.Quote(ref)+" was not found in this project.")
}

func conflictError(err error) error {
	var c *store.ErrConflict
	if errors.As(err, &c) {
		switch c.Field {
		case "slug":
			return apierr.BadRequest("organization_slug_already_used", "organization_slug is already used by another organization in this project.")
		case "external_id":
			return apierr.BadRequest("organization_external_id_already_used", "organization_external_id is already used by another organization in this project.")
		}
		return apierr.BadRequest("duplicate_organization", "An organization with these identifiers already exists.")
	}
	return apierr.Internal(err)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with this package's plain structs
	}
	return b
}
