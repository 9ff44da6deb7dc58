package scim

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/events"
	"github.com/seamsso/seam/internal/opt"
	"github.com/seamsso/seam/internal/organizations"
	"github.com/seamsso/seam/internal/store"
)

// IdentityProviders are Stytch's identity_provider values; "generic" is
// the default.
var IdentityProviders = []string{"generic", "okta", "microsoft-entra", "cyberark", "jumpcloud", "onelogin", "pingfederate", "rippling"}

// Limits of the management API.
const (
	MaxDisplayName     = 256
	MaxRoleAssignments = 100
	DefaultGroupsLimit = 100
	MaxGroupsLimit     = 1000
)

// Connection is Stytch's SCIM connection object. BearerToken is set only in
// the create response and NextBearerToken only in the rotate/start one.
type Connection struct {
	OrganizationID                   string          `json:"organization_id"`
	ConnectionID                     string          `json:"connection_id"`
	Status                           string          `json:"status"`
	DisplayName                      string          `json:"display_name"`
	IdentityProvider                 string          `json:"identity_provider"`
	BaseURL                          string          `json:"base_url"`
	BearerToken                      string          `json:"bearer_token,omitempty"`
	BearerTokenLastFour              string          `json:"bearer_token_last_four"`
	NextBearerToken                  string          `json:"next_bearer_token,omitempty"`
	NextBearerTokenLastFour          string          `json:"next_bearer_token_last_four"`
	SCIMGroupImplicitRoleAssignments []GroupRoleView `json:"scim_group_implicit_role_assignments"`
}

// GroupRoleView is one scim_group_implicit_role_assignments entry.
type GroupRoleView struct {
	RoleID    string `json:"role_id"`
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name"`
}

// GroupRoleParam is a role assignment as the update request sends it.
type GroupRoleParam struct {
	RoleID  string `json:"role_id"`
	GroupID string `json:"group_id"`
}

// CreateParams is the body of POST /v1/b2b/scim/{organization_id}/connection.
type CreateParams struct {
	DisplayName      opt.Value[string] `json:"display_name"`
	IdentityProvider opt.Value[string] `json:"identity_provider"`
}

// UpdateParams is the body of PUT .../connection/{connection_id}; absent
// fields are unchanged.
type UpdateParams struct {
	DisplayName                      opt.Value[string]           `json:"display_name"`
	IdentityProvider                 opt.Value[string]           `json:"identity_provider"`
	SCIMGroupImplicitRoleAssignments opt.Value[[]GroupRoleParam] `json:"scim_group_implicit_role_assignments"`
}

// Group is Stytch's SCIMGroup object of the groups listing.
type Group struct {
	GroupID        string `json:"group_id"`
	GroupName      string `json:"group_name"`
	OrganizationID string `json:"organization_id"`
	ConnectionID   string `json:"connection_id"`
}

// GroupsPage is one page of the groups listing.
type GroupsPage struct {
	Groups     []Group
	NextCursor *string
}

// ConnectionNotFound is the error for an unknown connection.
func ConnectionNotFound() *apierr.Error {
	return apierr.NotFound("scim_connection_not_found", "The SCIM connection could not be found in this organization.")
}

func validDisplayName(name string) error {
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxDisplayName {
		return apierr.BadRequest("invalid_display_name", "display_name must be valid UTF-8 of at most "+strconv.Itoa(MaxDisplayName)+" characters.")
	}
	return nil
}

func validIdentityProvider(idp string) error {
	if !slices.Contains(IdentityProviders, idp) {
		return apierr.BadRequest("invalid_identity_provider", "identity_provider must be one of generic, okta, microsoft-entra, cyberark, jumpcloud, onelogin, pingfederate, rippling.")
	}
	return nil
}

// BaseURLOf is where the connection's SCIM service provider answers. For
// Microsoft Entra ID the URL carries aadOptscim062020, the flag that makes
// Entra send RFC-compliant PATCH requests (Entra strips it from requests).
func (s *Service) BaseURLOf(c *store.SCIMConnection) string {
	u := s.BaseURL + "/v1/b2b/scim/" + c.ID
	if c.IdentityProvider == "microsoft-entra" {
		u += "?aadOptscim062020"
	}
	return u
}

// Create makes the organization's SCIM connection and returns it with its
// bearer token, which is never shown again.
func (s *Service) Create(ctx context.Context, p *store.Project, org *store.Organization, in CreateParams) (*Connection, error) {
	c := &store.SCIMConnection{ProjectID: p.ID, OrganizationID: org.ID, ID: s.IDs.New(idConnection, env(p)), IdentityProvider: "generic"}
	if in.DisplayName.Has() {
		if err := validDisplayName(in.DisplayName.V); err != nil {
			return nil, err
		}
		c.DisplayName = in.DisplayName.V
	}
	if in.IdentityProvider.Has() && in.IdentityProvider.V != "" {
		if err := validIdentityProvider(in.IdentityProvider.V); err != nil {
			return nil, err
		}
		c.IdentityProvider = in.IdentityProvider.V
	}
	token, hash, last4, err := s.newToken()
	if err != nil {
		return nil, apierr.Internal(err)
	}
	c.TokenHash, c.TokenLastFour = hash, last4
	now := s.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	v := s.view(c, nil)
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		var ce *store.ErrConflict
		if err := q.CreateSCIMConnection(ctx, c); errors.As(err, &ce) {
			return apierr.BadRequest("scim_connection_already_exists", "The organization already has a SCIM connection; update or delete it.")
		} else if err != nil {
			return apierr.Internal(err)
		}
		return s.recordConnection(ctx, q, c, events.Create, v)
	})
	if err != nil {
		return nil, err
	}
	v.BearerToken = token // after the event: never in it
	return v, nil
}

// Get returns the organization's SCIM connection, or nil when it has none.
func (s *Service) Get(ctx context.Context, org *store.Organization) (*Connection, error) {
	c, err := s.Store.GetOrgSCIMConnection(ctx, org.ProjectID, org.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return s.viewLoaded(ctx, s.Store, c)
}

// locked runs fn on the organization's connection id under a row lock,
// records the update, and returns the connection's view afterwards.
func (s *Service) locked(ctx context.Context, org *store.Organization, id string, fn func(q store.Queries, c *store.SCIMConnection) error) (*Connection, error) {
	var out *Connection
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		c, err := s.orgConnection(ctx, q, org, id, true)
		if err != nil {
			return err
		}
		if err := fn(q, c); err != nil {
			return err
		}
		if out, err = s.viewLoaded(ctx, q, c); err != nil {
			return err
		}
		return s.recordConnection(ctx, q, c, events.Update, out)
	})
	return out, err
}

func (s *Service) orgConnection(ctx context.Context, q store.Queries, org *store.Organization, id string, lock bool) (*store.SCIMConnection, error) {
	if id == "" || len(id) > 256 {
		return nil, ConnectionNotFound()
	}
	var c *store.SCIMConnection
	var err error
	if lock {
		c, err = q.GetSCIMConnectionForUpdate(ctx, org.ProjectID, id)
	} else {
		c, err = q.GetSCIMConnection(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && (c.ProjectID != org.ProjectID || c.OrganizationID != org.ID) {
		return nil, ConnectionNotFound()
	}
	if err != nil {
		return nil, apierr.Internal(err)
	}
	return c, nil
}

// Update applies a partial update of the connection.
func (s *Service) Update(ctx context.Context, org *store.Organization, id string, in UpdateParams) (*Connection, error) {
	return s.locked(ctx, org, id, func(q store.Queries, c *store.SCIMConnection) error {
		if in.DisplayName.Has() {
			if err := validDisplayName(in.DisplayName.V); err != nil {
				return err
			}
			c.DisplayName = in.DisplayName.V
		}
		if in.IdentityProvider.Has() && in.IdentityProvider.V != "" {
			if err := validIdentityProvider(in.IdentityProvider.V); err != nil {
				return err
			}
			c.IdentityProvider = in.IdentityProvider.V
		}
		if in.SCIMGroupImplicitRoleAssignments.Set {
			roles, err := s.validGroupRoles(ctx, q, org, c, in.SCIMGroupImplicitRoleAssignments.V)
			if err != nil {
				return err
			}
			c.GroupRoles = roles
		}
		c.UpdatedAt = s.Now()
		return mapInternal(q.UpdateSCIMConnection(ctx, c))
	})
}

// validGroupRoles checks that every role exists (project policy or the
// organization's custom roles) and every group is the connection's, and
// drops duplicates.
func (s *Service) validGroupRoles(ctx context.Context, q store.Queries, org *store.Organization, c *store.SCIMConnection, in []GroupRoleParam) ([]store.SCIMGroupRole, error) {
	if len(in) > MaxRoleAssignments {
		return nil, apierr.BadRequest("too_many_role_assignments", "At most "+strconv.Itoa(MaxRoleAssignments)+" SCIM group role assignments.")
	}
	policy, err := s.Policies.For(ctx, q, org.ProjectID)
	if err != nil {
		return nil, apierr.Internal(err)
	}
	custom := organizations.CustomRoles(org)
	out := []store.SCIMGroupRole{}
	var groupIDs []string
	for _, a := range in {
		if err := policy.ValidateRoleIDs(custom, a.RoleID); err != nil {
			return nil, err
		}
		r := store.SCIMGroupRole{RoleID: a.RoleID, GroupID: a.GroupID}
		if !slices.Contains(out, r) {
			out = append(out, r)
			groupIDs = append(groupIDs, a.GroupID)
		}
	}
	groups, err := s.groupsByID(ctx, q, c.ID, groupIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range groupIDs {
		if _, ok := groups[id]; !ok {
			return nil, apierr.BadRequest("scim_group_not_found", "Group "+apierr.Quote(id)+" is not a group of this SCIM connection.")
		}
	}
	return out, nil
}

// groupsByID loads the named groups of a connection in one query.
func (s *Service) groupsByID(ctx context.Context, q store.Queries, connectionID string, ids []string) (map[string]*store.SCIMGroup, error) {
	out := map[string]*store.SCIMGroup{}
	if len(ids) == 0 {
		return out, nil
	}
	var where *store.SCIMCond
	for _, id := range ids {
		c := &store.SCIMCond{Kind: store.SCIMCmp, Attr: store.SCIMAttrID, Op: store.SCIMEq, Value: id}
		if where == nil {
			where = c
		} else {
			where = &store.SCIMCond{Kind: store.SCIMOr, Left: where, Right: c}
		}
	}
	gs, _, err := q.ListSCIMGroups(ctx, store.SCIMList{ConnectionID: connectionID, Where: where, Limit: len(ids)})
	if err != nil {
		return nil, apierr.Internal(err)
	}
	for _, g := range gs {
		out[g.ID] = g
	}
	return out, nil
}

// Delete removes the connection with its SCIM users and groups. Members
// stay, without their SCIM registration and SCIM group roles.
func (s *Service) Delete(ctx context.Context, org *store.Organization, id string) error {
	return s.Store.Tx(ctx, func(q store.Queries) error {
		c, err := s.orgConnection(ctx, q, org, id, true)
		if err != nil {
			return err
		}
		if err := q.DeleteSCIMConnection(ctx, c.ProjectID, c.ID); err != nil {
			return mapInternal(err)
		}
		return s.recordConnection(ctx, q, c, events.Delete, nil)
	})
}

// RotateStart issues the next bearer token; both tokens work until the
// rotation completes or is cancelled. Starting again replaces the next token.
func (s *Service) RotateStart(ctx context.Context, org *store.Organization, id string) (*Connection, error) {
	var token string
	v, err := s.locked(ctx, org, id, func(q store.Queries, c *store.SCIMConnection) error {
		var err error
		var hash []byte
		if token, hash, c.NextTokenLastFour, err = s.newToken(); err != nil {
			return apierr.Internal(err)
		}
		c.NextTokenHash, c.UpdatedAt = hash, s.Now()
		return mapInternal(q.UpdateSCIMConnection(ctx, c))
	})
	if err != nil {
		return nil, err
	}
	v.NextBearerToken = token
	return v, nil
}

// RotateComplete makes the next token the only one.
func (s *Service) RotateComplete(ctx context.Context, org *store.Organization, id string) (*Connection, error) {
	return s.locked(ctx, org, id, func(q store.Queries, c *store.SCIMConnection) error {
		if len(c.NextTokenHash) == 0 {
			return noRotation()
		}
		c.TokenHash, c.TokenLastFour = c.NextTokenHash, c.NextTokenLastFour
		c.NextTokenHash, c.NextTokenLastFour, c.UpdatedAt = nil, "", s.Now()
		return mapInternal(q.UpdateSCIMConnection(ctx, c))
	})
}

// RotateCancel forgets the next token; the current one stays.
func (s *Service) RotateCancel(ctx context.Context, org *store.Organization, id string) (*Connection, error) {
	return s.locked(ctx, org, id, func(q store.Queries, c *store.SCIMConnection) error {
		if len(c.NextTokenHash) == 0 {
			return noRotation()
		}
		c.NextTokenHash, c.NextTokenLastFour, c.UpdatedAt = nil, "", s.Now()
		return mapInternal(q.UpdateSCIMConnection(ctx, c))
	})
}

func noRotation() error {
	return apierr.BadRequest("no_token_rotation_in_progress", "No bearer token rotation is in progress: call rotate/start first.")
}

// Groups lists the connection's groups, oldest first. The cursor is opaque
// to callers (an offset).
func (s *Service) Groups(ctx context.Context, org *store.Organization, id, cursor string, limit opt.Value[int]) (*GroupsPage, error) {
	c, err := s.orgConnection(ctx, s.Store, org, id, false)
	if err != nil {
		return nil, err
	}
	n := DefaultGroupsLimit
	if limit.Set {
		if limit.V < 1 || limit.V > MaxGroupsLimit {
			return nil, apierr.BadRequest("invalid_limit", "limit must be between 1 and "+strconv.Itoa(MaxGroupsLimit)+".")
		}
		n = limit.V
	}
	offset := 0
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err == nil {
			offset, err = strconv.Atoi(string(raw))
		}
		if err != nil || offset < 0 || len(cursor) > 32 {
			return nil, apierr.BadRequest("invalid_cursor", "The cursor is not one this endpoint returned.")
		}
	}
	gs, total, err := s.Store.ListSCIMGroups(ctx, store.SCIMList{ConnectionID: c.ID, Offset: offset, Limit: n})
	if err != nil {
		return nil, apierr.Internal(err)
	}
	out := &GroupsPage{Groups: []Group{}}
	for _, g := range gs {
		out.Groups = append(out.Groups, Group{GroupID: g.ID, GroupName: g.DisplayName, OrganizationID: org.ID, ConnectionID: c.ID})
	}
	if next := offset + len(gs); next < total {
		cur := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(next)))
		out.NextCursor = &cur
	}
	return out, nil
}

func (s *Service) viewLoaded(ctx context.Context, q store.Queries, c *store.SCIMConnection) (*Connection, error) {
	ids := make([]string, 0, len(c.GroupRoles))
	for _, r := range c.GroupRoles {
		ids = append(ids, r.GroupID)
	}
	groups, err := s.groupsByID(ctx, q, c.ID, ids)
	if err != nil {
		return nil, err
	}
	return s.view(c, groups), nil
}

func (s *Service) view(c *store.SCIMConnection, groups map[string]*store.SCIMGroup) *Connection {
	v := &Connection{
		OrganizationID: c.OrganizationID, ConnectionID: c.ID, Status: "active", DisplayName: c.DisplayName,
		IdentityProvider: c.IdentityProvider, BaseURL: s.BaseURLOf(c), BearerTokenLastFour: c.TokenLastFour,
		NextBearerTokenLastFour: c.NextTokenLastFour, SCIMGroupImplicitRoleAssignments: []GroupRoleView{},
	}
	for _, r := range c.GroupRoles {
		name := ""
		if g := groups[r.GroupID]; g != nil {
			name = g.DisplayName
		}
		v.SCIMGroupImplicitRoleAssignments = append(v.SCIMGroupImplicitRoleAssignments, GroupRoleView{RoleID: r.RoleID, GroupID: r.GroupID, GroupName: name})
	}
	return v
}

func mapInternal(err error) error {
	if err == nil {
		return nil
	}
	if ae := apierr.As(err); ae != nil {
		return ae
	}
	return apierr.Internal(err)
}
