package scim

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

// groupState is a group as PATCH and PUT see it: its attributes and its
// member IDs.
type groupState struct {
	displayName, externalID string
	members                 []string
}

func groupStateOf(res map[string]any) (groupState, error) {
	g := groupState{displayName: str(res, "displayName"), externalID: str(res, "externalId")}
	if strings.TrimSpace(g.displayName) == "" {
		return g, badRequest(TypeInvalidValue, "displayName is required.")
	}
	list, _ := res["members"].([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		v := str(m, "value")
		if v == "" {
			return g, badRequest(TypeInvalidValue, "Each member needs a value (the user's id).")
		}
		if !slices.Contains(g.members, v) {
			g.members = append(g.members, v)
		}
	}
	return g, nil
}

func parseGroup(body []byte) (groupState, error) {
	raw, err := decodeObject(body)
	if err != nil {
		return groupState{}, err
	}
	if err := checkSchemas(raw, GroupSchema); err != nil {
		return groupState{}, err
	}
	res, err := normalize(raw, groupAttrs, false)
	if err != nil {
		return groupState{}, err
	}
	return groupStateOf(res)
}

// checkMembers refuses member IDs that are not users of the connection.
func checkMembers(ctx context.Context, q store.Queries, connID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := q.ExistingSCIMUsers(ctx, connID, ids...)
	if err != nil {
		return mapInternal(err)
	}
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return badRequest(TypeInvalidValue, "Member "+quote(id)+" is not a user of this SCIM connection.")
		}
	}
	return nil
}

// CreateGroup answers POST /Groups.
func (s *Service) CreateGroup(ctx context.Context, sc *Scope, body []byte) (map[string]any, error) {
	st, err := parseGroup(body)
	if err != nil {
		return nil, err
	}
	var g *store.SCIMGroup
	err = s.Store.Tx(ctx, func(q store.Queries) error {
		if err := checkMembers(ctx, q, sc.Conn.ID, st.members); err != nil {
			return err
		}
		now := s.Now()
		g = &store.SCIMGroup{ProjectID: sc.Project.ID, ConnectionID: sc.Conn.ID, ID: s.IDs.New(idGroup, env(sc.Project)),
			DisplayName: st.displayName, ExternalID: st.externalID, CreatedAt: now, UpdatedAt: now}
		if err := q.CreateSCIMGroup(ctx, g); err != nil {
			return mapInternal(err)
		}
		if err := q.AddSCIMGroupMembers(ctx, g.ID, st.members...); err != nil {
			return mapInternal(err)
		}
		return s.recordGroupChange(ctx, q, sc, st.members)
	})
	if err != nil {
		return nil, AsError(err)
	}
	return s.loadGroup(ctx, sc, g, true)
}

func (s *Service) group(ctx context.Context, q store.Queries, sc *Scope, id string, lock bool) (*store.SCIMGroup, error) {
	return byID(ctx, sc, id, lock, "group", q.GetSCIMGroup, q.GetSCIMGroupForUpdate)
}

// byID reads one of the connection's resources (what: "user" or "group")
// by its id, with a row lock when lock is set: an id that cannot exist or
// does not is the same 404.
func byID[T any](ctx context.Context, sc *Scope, id string, lock bool, what string,
	get, getForUpdate func(ctx context.Context, connectionID, id string) (T, error)) (T, error) {
	var none T
	if id == "" || len(id) > 256 {
		return none, notFound("No such " + what + ".")
	}
	if lock {
		get = getForUpdate
	}
	v, err := get(ctx, sc.Conn.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return none, notFound("No such " + what + ".")
	}
	if err != nil {
		return none, AsError(err)
	}
	return v, nil
}

// GetGroup answers GET /Groups/{id}; withMembers false leaves members out
// (excludedAttributes=members, which Entra ID sends).
func (s *Service) GetGroup(ctx context.Context, sc *Scope, id string, withMembers bool) (map[string]any, error) {
	g, err := s.group(ctx, s.Store, sc, id, false)
	if err != nil {
		return nil, err
	}
	return s.loadGroup(ctx, sc, g, withMembers)
}

func (s *Service) loadGroup(ctx context.Context, sc *Scope, g *store.SCIMGroup, withMembers bool) (map[string]any, error) {
	var ms []store.SCIMMembership
	if withMembers {
		var err error
		if ms, err = s.Store.ListSCIMGroupMembers(ctx, g.ID); err != nil {
			return nil, AsError(err)
		}
	}
	return s.renderGroup(sc, g, ms, withMembers), nil
}

// ListGroups answers GET /Groups.
func (s *Service) ListGroups(ctx context.Context, sc *Scope, l ListParams) (*ListResponse, error) {
	where, err := parseFilter(groupResource, l.Filter)
	if err != nil {
		return nil, err
	}
	withMembers := !excludes(l.ExcludedAttributes, "members")
	page := l.page(sc.Conn.ID, where)
	gs, total, err := s.Store.ListSCIMGroups(ctx, page)
	if err != nil {
		return nil, AsError(err)
	}
	byGroup := map[string][]store.SCIMMembership{}
	if withMembers && len(gs) > 0 {
		ids := make([]string, len(gs))
		for i, g := range gs {
			ids[i] = g.ID
		}
		ms, err := s.Store.ListSCIMGroupMembers(ctx, ids...)
		if err != nil {
			return nil, AsError(err)
		}
		for _, m := range ms {
			byGroup[m.GroupID] = append(byGroup[m.GroupID], m)
		}
	}
	out := &ListResponse{Schemas: []string{ListSchema}, TotalResults: total, StartIndex: page.Offset + 1, Resources: []map[string]any{}}
	for _, g := range gs {
		out.Resources = append(out.Resources, s.renderGroup(sc, g, byGroup[g.ID], withMembers))
	}
	out.ItemsPerPage = len(out.Resources)
	return out, nil
}

// excludes reports whether a comma-separated attribute list names attr.
func excludes(list, attr string) bool {
	for _, a := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(a), attr) {
			return true
		}
	}
	return false
}

// ReplaceGroup answers PUT /Groups/{id}: members become exactly the body's.
func (s *Service) ReplaceGroup(ctx context.Context, sc *Scope, id string, body []byte) (map[string]any, error) {
	st, err := parseGroup(body)
	if err != nil {
		return nil, err
	}
	return s.changeGroup(ctx, sc, id, func(groupState) (groupState, error) { return st, nil })
}

// PatchGroup answers PATCH /Groups/{id}: member additions and removals (by
// filter or by value list), displayName and externalId changes.
func (s *Service) PatchGroup(ctx context.Context, sc *Scope, id string, body []byte) (map[string]any, error) {
	ops, err := parsePatch(body)
	if err != nil {
		return nil, err
	}
	return s.changeGroup(ctx, sc, id, func(cur groupState) (groupState, error) {
		members := make([]any, 0, len(cur.members))
		for _, m := range cur.members {
			members = append(members, map[string]any{"value": m})
		}
		res := map[string]any{"displayName": cur.displayName, "externalId": cur.externalID, "members": members}
		if err := applyPatch(res, groupAttrs, false, ops); err != nil {
			return groupState{}, err
		}
		res, err := normalize(res, groupAttrs, false)
		if err != nil {
			return groupState{}, err
		}
		return groupStateOf(res)
	})
}

func (s *Service) changeGroup(ctx context.Context, sc *Scope, id string, next func(groupState) (groupState, error)) (map[string]any, error) {
	var g *store.SCIMGroup
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		var err error
		if g, err = s.group(ctx, q, sc, id, true); err != nil {
			return err
		}
		ms, err := q.ListSCIMGroupMembers(ctx, g.ID)
		if err != nil {
			return mapInternal(err)
		}
		cur := groupState{displayName: g.DisplayName, externalID: g.ExternalID}
		for _, m := range ms {
			cur.members = append(cur.members, m.MemberID)
		}
		st, err := next(cur)
		if err != nil {
			return err
		}
		var added, removed []string
		for _, m := range st.members {
			if !slices.Contains(cur.members, m) {
				added = append(added, m)
			}
		}
		for _, m := range cur.members {
			if !slices.Contains(st.members, m) {
				removed = append(removed, m)
			}
		}
		if err := checkMembers(ctx, q, sc.Conn.ID, added); err != nil {
			return err
		}
		g.DisplayName, g.ExternalID, g.UpdatedAt = st.displayName, st.externalID, s.Now()
		if err := q.UpdateSCIMGroup(ctx, g); err != nil {
			return mapInternal(err)
		}
		if err := q.AddSCIMGroupMembers(ctx, g.ID, added...); err != nil {
			return mapInternal(err)
		}
		if err := q.RemoveSCIMGroupMembers(ctx, g.ID, false, removed...); err != nil {
			return mapInternal(err)
		}
		touched := append(added, removed...)
		if st.displayName != cur.displayName {
			// Every member lists the group by its name.
			touched = append(touched, st.members...)
		}
		return s.recordGroupChange(ctx, q, sc, touched)
	})
	if err != nil {
		return nil, AsError(err)
	}
	return s.loadGroup(ctx, sc, g, true)
}

// DeleteGroup answers DELETE /Groups/{id}; the connection's role
// assignments for the group go with it.
func (s *Service) DeleteGroup(ctx context.Context, sc *Scope, id string) error {
	err := s.Store.Tx(ctx, func(q store.Queries) error {
		c, err := q.GetSCIMConnectionForUpdate(ctx, sc.Project.ID, sc.Conn.ID)
		if err != nil {
			return mapInternal(err)
		}
		g, err := s.group(ctx, q, sc, id, true)
		if err != nil {
			return err
		}
		ms, err := q.ListSCIMGroupMembers(ctx, g.ID)
		if err != nil {
			return mapInternal(err)
		}
		if err := q.DeleteSCIMGroup(ctx, sc.Conn.ID, g.ID); err != nil {
			return mapInternal(err)
		}
		kept := slices.DeleteFunc(slices.Clone(c.GroupRoles), func(r store.SCIMGroupRole) bool { return r.GroupID == g.ID })
		if len(kept) != len(c.GroupRoles) {
			c.GroupRoles, c.UpdatedAt = kept, s.Now()
			if err := q.UpdateSCIMConnection(ctx, c); err != nil {
				return mapInternal(err)
			}
		}
		former := make([]string, 0, len(ms))
		for _, m := range ms {
			former = append(former, m.MemberID)
		}
		return s.recordGroupChange(ctx, q, sc, former)
	})
	if err != nil {
		return AsError(err)
	}
	return nil
}

func (s *Service) renderGroup(sc *Scope, g *store.SCIMGroup, ms []store.SCIMMembership, withMembers bool) map[string]any {
	res := map[string]any{
		"schemas": []any{GroupSchema}, "id": g.ID, "displayName": g.DisplayName,
		"meta": meta("Group", sc.Base+"/Groups/"+g.ID, g.CreatedAt, g.UpdatedAt),
	}
	if g.ExternalID != "" {
		res["externalId"] = g.ExternalID
	}
	if withMembers {
		members := []any{}
		for _, m := range ms {
			members = append(members, map[string]any{"value": m.MemberID, "display": m.UserName, "type": "User", "$ref": sc.Base + "/Users/" + m.MemberID})
		}
		res["members"] = members
	}
	return res
}
