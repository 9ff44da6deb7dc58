package scim

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/seamsso/seam/internal/apierr"
	"github.com/seamsso/seam/internal/members"
	"github.com/seamsso/seam/internal/store"
)

// userFacts are what a User resource says about the member and the indexed
// columns.
type userFacts struct {
	userName, externalID, displayName, email, name string
	active                                         bool
}

// userFactsOf derives the facts from a normalized User: userName is
// required; the member's email is the primary email, else the first work
// email, else the first email, else userName when it is an address.
func userFactsOf(res map[string]any) (userFacts, error) {
	f := userFacts{userName: str(res, "userName"), externalID: str(res, "externalId"), displayName: str(res, "displayName"), active: true}
	if strings.TrimSpace(f.userName) == "" {
		return f, badRequest(TypeInvalidValue, "userName is required.")
	}
	if b, ok := res["active"].(bool); ok {
		f.active = b
	}
	emails, _ := res["emails"].([]any)
	pick := func(ok func(map[string]any) bool) string {
		for _, e := range emails {
			if m, _ := e.(map[string]any); m != nil && ok(m) && str(m, "value") != "" {
				return str(m, "value")
			}
		}
		return ""
	}
	f.email = pick(func(m map[string]any) bool { return m["primary"] == true })
	if f.email == "" {
		f.email = pick(func(m map[string]any) bool { return strings.EqualFold(str(m, "type"), "work") })
	}
	if f.email == "" {
		f.email = pick(func(map[string]any) bool { return true })
	}
	if f.email == "" {
		f.email = f.userName
	}
	e, err := members.NormalizeEmail(f.email)
	if err != nil {
		return f, badRequest(TypeInvalidValue, "A user needs an email address (emails, or a userName that is one).")
	}
	f.email = e
	f.name = f.displayName
	if name, _ := res["name"].(map[string]any); f.name == "" && name != nil {
		f.name = str(name, "formatted")
		if f.name == "" {
			f.name = strings.TrimSpace(str(name, "givenName") + " " + str(name, "familyName"))
		}
	}
	return f, nil
}

// parseUser reads a POST or PUT body.
func parseUser(body []byte) (map[string]any, userFacts, error) {
	raw, err := decodeObject(body)
	if err != nil {
		return nil, userFacts{}, err
	}
	if err := checkSchemas(raw, UserSchema, EnterpriseSchema); err != nil {
		return nil, userFacts{}, err
	}
	res, err := normalize(raw, userAttrs, true)
	if err != nil {
		return nil, userFacts{}, err
	}
	f, err := userFactsOf(res)
	return res, f, err
}

func (f userFacts) profile() members.DirectoryProfile {
	return members.DirectoryProfile{Email: f.email, Name: f.name, Active: f.active}
}

func (f userFacts) apply(u *store.SCIMUser, res map[string]any, now time.Time) error {
	raw, err := json.Marshal(res)
	if err != nil {
		return apierr.Internal(err)
	}
	u.UserName, u.ExternalID, u.DisplayName, u.Email, u.Active, u.Resource, u.UpdatedAt =
		f.userName, f.externalID, f.displayName, f.email, f.active, raw, now
	return nil
}

// userConflict maps a store conflict on a SCIM user to 409 uniqueness.
func userConflict(err error) error {
	var c *store.ErrConflict
	if errors.As(err, &c) {
		if c.Field == "user_name" {
			return conflict("A user with this userName already exists.")
		}
		return conflict("The member with this email address is already provisioned by this connection under another userName.")
	}
	return mapInternal(err)
}

// CreateUser provisions a member from a POST /Users body.
func (s *Service) CreateUser(ctx context.Context, sc *Scope, body []byte) (map[string]any, error) {
	res, f, err := parseUser(body)
	if err != nil {
		return nil, err
	}
	var u *store.SCIMUser
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		m, before, err := s.Members.ProvisionFromDirectory(ctx, q, sc.Project, sc.Org, f.profile())
		if err != nil {
			return err
		}
		now := s.Now()
		u = &store.SCIMUser{ProjectID: sc.Project.ID, ConnectionID: sc.Conn.ID, MemberID: m.ID,
			RegistrationID: s.IDs.New(idRegistration, env(sc.Project)), CreatedAt: now}
		if err := f.apply(u, res, now); err != nil {
			return err
		}
		if err := q.CreateSCIMUser(ctx, u); err != nil {
			return userConflict(err)
		}
		if before == "" {
			return s.recordCreate(ctx, q, sc, m, u)
		}
		return s.recordChange(ctx, q, sc, before, m)
	})
	if err != nil {
		return nil, AsError(err)
	}
	return s.renderUser(sc, u, nil), nil
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, sc *Scope, id string) (map[string]any, error) {
	u, err := s.user(ctx, s.Store, sc, id, false)
	if err != nil {
		return nil, err
	}
	gs, err := s.Store.ListSCIMUserGroups(ctx, u.MemberID)
	if err != nil {
		return nil, AsError(err)
	}
	return s.renderUser(sc, u, gs), nil
}

func (s *Service) user(ctx context.Context, q store.Queries, sc *Scope, id string, lock bool) (*store.SCIMUser, error) {
	return byID(ctx, sc, id, lock, "user", q.GetSCIMUser, q.GetSCIMUserForUpdate)
}

// ListParams are a list request's query parameters.
type ListParams struct {
	Filter             string
	StartIndex, Count  int // 1-based; Count < 0 means the default
	ExcludedAttributes string
}

// Paging defaults (ServiceProviderConfig filter.maxResults).
const (
	DefaultCount = 100
	MaxResults   = 1000
)

func (l ListParams) page(connID string, where *store.SCIMCond) store.SCIMList {
	start, count := l.StartIndex, l.Count
	if start < 1 {
		start = 1
	}
	if count < 0 {
		count = DefaultCount
	}
	if count > MaxResults {
		count = MaxResults
	}
	return store.SCIMList{ConnectionID: connID, Where: where, Offset: start - 1, Limit: count}
}

// ListResponse is an RFC 7644 list response.
type ListResponse struct {
	Schemas      []string         `json:"schemas"`
	TotalResults int              `json:"totalResults"`
	StartIndex   int              `json:"startIndex"`
	ItemsPerPage int              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

// ListUsers answers GET /Users: one count query and one page query, both
// on indexed columns of the connection, and one query for the page's groups.
func (s *Service) ListUsers(ctx context.Context, sc *Scope, l ListParams) (*ListResponse, error) {
	where, err := parseFilter(userResource, l.Filter)
	if err != nil {
		return nil, err
	}
	page := l.page(sc.Conn.ID, where)
	us, total, err := s.Store.ListSCIMUsers(ctx, page)
	if err != nil {
		return nil, AsError(err)
	}
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.MemberID
	}
	gs, err := s.Store.ListSCIMUserGroups(ctx, ids...)
	if err != nil {
		return nil, AsError(err)
	}
	byUser := map[string][]store.SCIMMembership{}
	for _, g := range gs {
		byUser[g.MemberID] = append(byUser[g.MemberID], g)
	}
	out := &ListResponse{Schemas: []string{ListSchema}, TotalResults: total, StartIndex: page.Offset + 1, Resources: []map[string]any{}}
	for _, u := range us {
		out.Resources = append(out.Resources, s.renderUser(sc, u, byUser[u.MemberID]))
	}
	out.ItemsPerPage = len(out.Resources)
	return out, nil
}

// ReplaceUser answers PUT /Users/{id}: the body is the whole user.
func (s *Service) ReplaceUser(ctx context.Context, sc *Scope, id string, body []byte) (map[string]any, error) {
	res, f, err := parseUser(body)
	if err != nil {
		return nil, err
	}
	return s.changeUser(ctx, sc, id, func(*store.SCIMUser) (map[string]any, userFacts, error) { return res, f, nil })
}

// PatchUser answers PATCH /Users/{id}.
func (s *Service) PatchUser(ctx context.Context, sc *Scope, id string, body []byte) (map[string]any, error) {
	ops, err := parsePatch(body)
	if err != nil {
		return nil, err
	}
	return s.changeUser(ctx, sc, id, func(u *store.SCIMUser) (map[string]any, userFacts, error) {
		res := map[string]any{}
		if err := json.Unmarshal(u.Resource, &res); err != nil {
			return nil, userFacts{}, apierr.Internal(err)
		}
		if err := applyPatch(res, userAttrs, true, ops); err != nil {
			return nil, userFacts{}, err
		}
		res, err := normalize(res, userAttrs, true)
		if err != nil {
			return nil, userFacts{}, err
		}
		f, err := userFactsOf(res)
		return res, f, err
	})
}

// changeUser locks the user and its member, computes the new resource, and
// applies it to both in one transaction: deactivation revokes the member's
// sessions there (package members).
func (s *Service) changeUser(ctx context.Context, sc *Scope, id string, next func(*store.SCIMUser) (map[string]any, userFacts, error)) (map[string]any, error) {
	var u *store.SCIMUser
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		var err error
		if u, err = s.user(ctx, q, sc, id, true); err != nil {
			return err
		}
		res, f, err := next(u)
		if err != nil {
			return err
		}
		m, err := q.GetOrgMemberForUpdate(ctx, sc.Project.ID, sc.Org.ID, u.MemberID)
		if err != nil {
			return mapInternal(err)
		}
		before := m.Status
		if err := s.Members.SyncFromDirectory(ctx, q, m, f.profile()); err != nil {
			return err
		}
		if err := f.apply(u, res, s.Now()); err != nil {
			return err
		}
		if err := q.UpdateSCIMUser(ctx, u); err != nil {
			return userConflict(err)
		}
		return s.recordChange(ctx, q, sc, before, m)
	})
	if err != nil {
		return nil, AsError(err)
	}
	gs, err := s.Store.ListSCIMUserGroups(ctx, u.MemberID)
	if err != nil {
		return nil, AsError(err)
	}
	return s.renderUser(sc, u, gs), nil
}

// DeleteUser answers DELETE /Users/{id}: the member is deactivated (status
// deleted, sessions revoked) and the SCIM user with its group memberships
// is removed, in one transaction.
func (s *Service) DeleteUser(ctx context.Context, sc *Scope, id string) error {
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		u, err := s.user(ctx, q, sc, id, true)
		if err != nil {
			return err
		}
		m, err := q.GetOrgMemberForUpdate(ctx, sc.Project.ID, sc.Org.ID, u.MemberID)
		if err != nil {
			return mapInternal(err)
		}
		before := m.Status
		if err := s.Members.Deactivate(ctx, q, m); err != nil {
			return err
		}
		if err := q.DeleteSCIMUser(ctx, sc.Conn.ID, u.MemberID); err != nil {
			return mapInternal(err)
		}
		return s.recordChange(ctx, q, sc, before, m)
	})
	if err != nil {
		return AsError(err)
	}
	return nil
}

func (s *Service) renderUser(sc *Scope, u *store.SCIMUser, groups []store.SCIMMembership) map[string]any {
	res := map[string]any{}
	_ = json.Unmarshal(u.Resource, &res) // written by this package
	schemas := []any{UserSchema}
	if _, ok := res[EnterpriseSchema]; ok {
		schemas = append(schemas, EnterpriseSchema)
	}
	res["schemas"] = schemas
	res["id"] = u.MemberID
	res["userName"] = u.UserName
	res["active"] = u.Active
	if u.ExternalID == "" {
		delete(res, "externalId")
	} else {
		res["externalId"] = u.ExternalID
	}
	gs := []any{}
	for _, g := range groups {
		gs = append(gs, map[string]any{"value": g.GroupID, "display": g.GroupDisplayName, "$ref": sc.Base + "/Groups/" + g.GroupID})
	}
	res["groups"] = gs
	res["meta"] = meta("User", sc.Base+"/Users/"+u.MemberID, u.CreatedAt, u.UpdatedAt)
	return res
}

func meta(kind, location string, created, updated time.Time) map[string]any {
	return map[string]any{
		"resourceType": kind, "created": created.UTC().Format(time.RFC3339), "lastModified": updated.UTC().Format(time.RFC3339),
		"location": location, "version": `W/"` + updated.UTC().Format("20060102150405.000000") + `"`,
	}
}
