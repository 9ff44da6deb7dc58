package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/store"
)

func invalidName() *apierr.Error {
	return apierr.BadRequest("invalid_project_name", "name must not be empty.")
}

// UpdateProject renames a Stytch project (PATCH /pwa/v3/projects/{slug}).
// A Stytch project's name is that of its oldest environment (see
// projectOf); the environments that carry the old name follow the rename,
// and those that were given names of their own keep them.
func (s *Service) UpdateProject(ctx context.Context, slug string, name opt.Value[string]) (*Project, error) {
	if !name.Set {
		return s.GetProject(ctx, slug) // nothing to change
	}
	if name.Null || strings.TrimSpace(name.V) == "" {
		return nil, invalidName()
	}
	var out *Project
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		envs, err := q.ListProjectsBySlug(ctx, slug)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(envs) == 0 {
			return errProjectNotFound(slug)
		}
		old := envs[0].Name
		for _, e := range envs {
			if e.Name != old {
				continue
			}
			if err := q.RenameProject(ctx, e.ID, name.V); err != nil {
				return apierr.Internal(err)
			}
			e.Name = name.V
			if err := s.Projects.RecordRenamed(ctx, q, e); err != nil {
				return err
			}
		}
		p := projectOf(envs[0])
		out = &p
		return nil
	})
	return out, err
}

// DeleteProject deletes a Stytch project: every environment (Seam project)
// of it, with everything they own (organizations, connections, members,
// sessions, credentials). Irreversible.
func (s *Service) DeleteProject(ctx context.Context, slug string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		envs, err := q.ListProjectsBySlug(ctx, slug)
		if err != nil {
			return apierr.Internal(err)
		}
		if len(envs) == 0 {
			return errProjectNotFound(slug)
		}
		for _, e := range envs {
			if err := q.DeleteProject(ctx, e.ID); err != nil {
				return apierr.Internal(err)
			}
		}
		return nil
	})
}

// EnvironmentUpdate is Stytch's environment update request. Only name is
// Seam's to change; the other fields configure features Seam does not have
// and are refused unless they ask for them to stay off.
type EnvironmentUpdate struct {
	Name                                                   opt.Value[string] `json:"name"`
	CrossOrgPasswordsEnabled                               opt.Value[bool]   `json:"cross_org_passwords_enabled"`
	UserImpersonationEnabled                               opt.Value[bool]   `json:"user_impersonation_enabled"`
	ZeroDowntimeSessionMigrationURL                        opt.Value[string] `json:"zero_downtime_session_migration_url"`
	UseCustomDomainInMagicLinkEmails                       opt.Value[bool]   `json:"use_custom_domain_in_magic_link_emails"`
	UserLockSelfServeEnabled                               opt.Value[bool]   `json:"user_lock_self_serve_enabled"`
	UserLockThreshold                                      opt.Value[int]    `json:"user_lock_threshold"`
	UserLockTTL                                            opt.Value[int]    `json:"user_lock_ttl"`
	IDPAuthorizationURL                                    opt.Value[string] `json:"idp_authorization_url"`
	IDPDynamicClientRegistrationEnabled                    opt.Value[bool]   `json:"idp_dynamic_client_registration_enabled"`
	IDPDynamicClientRegistrationAccessTokenTemplateContent opt.Value[string] `json:"idp_dynamic_client_registration_access_token_template_content"`
}

// unsupported names the first field that asks for a feature Seam lacks.
func (u EnvironmentUpdate) unsupported() (field, feature string) {
	for _, c := range []struct {
		on             bool
		field, feature string
	}{
		{u.CrossOrgPasswordsEnabled.V, "cross_org_passwords_enabled", "passwords"},
		{u.UserImpersonationEnabled.V, "user_impersonation_enabled", "impersonation"},
		{u.ZeroDowntimeSessionMigrationURL.V != "", "zero_downtime_session_migration_url", "session migration"},
		{u.UseCustomDomainInMagicLinkEmails.V, "use_custom_domain_in_magic_link_emails", "magic links"},
		{u.UserLockSelfServeEnabled.V, "user_lock_self_serve_enabled", "user locking"},
		{u.UserLockThreshold.V != 0, "user_lock_threshold", "user locking"},
		{u.UserLockTTL.V != 0, "user_lock_ttl", "user locking"},
		{u.IDPAuthorizationURL.V != "", "idp_authorization_url", "Connected Apps"},
		{u.IDPDynamicClientRegistrationEnabled.V, "idp_dynamic_client_registration_enabled", "Connected Apps"},
		{u.IDPDynamicClientRegistrationAccessTokenTemplateContent.V != "", "idp_dynamic_client_registration_access_token_template_content", "Connected Apps"},
	} {
		if c.on {
			return c.field, c.feature
		}
	}
	return "", ""
}

// UpdateEnvironment changes an environment (a Seam project): its name.
func (s *Service) UpdateEnvironment(ctx context.Context, slug, envSlug string, u EnvironmentUpdate) (*Environment, error) {
	if field, feature := u.unsupported(); field != "" {
		return nil, apierr.BadRequest("feature_not_supported_by_seam",
			fmt.Sprintf("%s configures %s, which Seam does not implement; only name can be changed.", field, feature))
	}
	if u.Name.Set && (u.Name.Null || strings.TrimSpace(u.Name.V) == "") {
		return nil, invalidName()
	}
	p, err := s.Resolve(ctx, slug, envSlug)
	if err != nil {
		return nil, err
	}
	if u.Name.Set {
		err := s.Store.Tx(ctx, func(q store.Queries) error {
			if err := q.RenameProject(ctx, p.ID, u.Name.V); errors.Is(err, store.ErrNotFound) {
				return environmentNotFound(slug, envSlug) // deleted meanwhile
			} else if err != nil {
				return apierr.Internal(err)
			}
			p.Name = u.Name.V
			return s.Projects.RecordRenamed(ctx, q, p)
		})
		if err != nil {
			return nil, err
		}
	}
	e := environmentOf(p)
	return &e, nil
}

// DeleteEnvironment deletes an environment (a Seam project) with
// everything it owns. Deleting a project's last environment deletes the
// project: a Stytch project is the environments that share its slug.
func (s *Service) DeleteEnvironment(ctx context.Context, slug, envSlug string) error {
	p, err := s.Resolve(ctx, slug, envSlug)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteProject(ctx, p.ID); errors.Is(err, store.ErrNotFound) {
		return environmentNotFound(slug, envSlug)
	} else if err != nil {
		return apierr.Internal(err)
	}
	return nil
}

// Locate names the environment a Seam project is, for the CLI, which takes
// project IDs.
func (s *Service) Locate(ctx context.Context, projectID string) (slug, envSlug string, err error) {
	p, err := s.Store.GetProject(ctx, projectID)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", apierr.NotFound("project_not_found", "No project has the project_id "+apierr.Quote(projectID)+".")
	}
	if err != nil {
		return "", "", apierr.Internal(err)
	}
	return p.ProjectSlug, p.EnvironmentSlug, nil
}

func environmentNotFound(slug, envSlug string) *apierr.Error {
	return apierr.NotFound("environment_not_found",
		fmt.Sprintf("The project %s has no environment %s.", apierr.Quote(slug), apierr.Quote(envSlug)))
}

// Metrics is Stytch's environment metrics object. Seam has no consumer
// users or M2M clients, so those counts are always 0.
type Metrics struct {
	UserCount         int `json:"user_count"`
	OrganizationCount int `json:"organization_count"`
	MemberCount       int `json:"member_count"`
	M2MClientCount    int `json:"m2m_client_count"`
}

// EnvironmentMetrics counts an environment's organizations and members.
func (s *Service) EnvironmentMetrics(ctx context.Context, slug, envSlug string) (*Metrics, error) {
	p, err := s.Resolve(ctx, slug, envSlug)
	if err != nil {
		return nil, err
	}
	orgs, n, err := s.Store.CountProjectContents(ctx, p.ID, members.HiddenStatuses())
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return &Metrics{OrganizationCount: orgs, MemberCount: n}, nil
}
