package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

const scimConnCols = `project_id, organization_id, id, display_name, identity_provider, token_hash, token_last_four,
	next_token_hash, next_token_last_four, group_roles, created_at, updated_at`

func scanSCIMConn(row rowScanner) (*store.SCIMConnection, error) {
	c, roles := &store.SCIMConnection{}, new(json.RawMessage)
	if err := scanSCIMConnInto(row, c, roles); err != nil {
		return nil, err
	}
	return c, decodeGroupRoles(c, *roles)
}

// scanSCIMConnInto scans the columns; the group roles stay raw until
// decodeGroupRoles (so that a collector can gather the destinations first).
func scanSCIMConnInto(row rowScanner, c *store.SCIMConnection, roles *json.RawMessage) error {
	return row.Scan(&c.ProjectID, &c.OrganizationID, &c.ID, &c.DisplayName, &c.IdentityProvider, &c.TokenHash,
		&c.TokenLastFour, &c.NextTokenHash, &c.NextTokenLastFour, jsonCol{roles, "[]"}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
}

func decodeGroupRoles(c *store.SCIMConnection, roles json.RawMessage) error {
	if err := json.Unmarshal(roles, &c.GroupRoles); err != nil {
		return fmt.Errorf("sqlstore: scim group roles: %w", err)
	}
	return nil
}

var scimScopeSelect = `SELECT ` + prefixed("c", scimConnCols) + `, ` + prefixed("p", projectRead) + `, ` + prefixed("o", orgCols) + `
	FROM scim_connections c
	JOIN projects p ON p.id = c.project_id
	JOIN organizations o ON o.id = c.organization_id AND o.project_id = c.project_id
	WHERE c.id = $1`

func (q *queries) GetSCIMScope(ctx context.Context, connectionID string) (*store.SCIMScope, error) {
	var col collector
	c, roles := &store.SCIMConnection{}, new(json.RawMessage)
	_ = scanSCIMConnInto(&col, c, roles)
	p, _ := scanProject(&col)
	o, _ := scanOrg(&col)
	if err := q.ex.QueryRowContext(ctx, scimScopeSelect, connectionID).Scan(col.dest...); err != nil {
		return nil, q.mapErr(err)
	}
	if err := decodeGroupRoles(c, *roles); err != nil {
		return nil, err
	}
	return &store.SCIMScope{Connection: c, Project: p, Organization: o}, nil
}

func groupRolesJSON(r []store.SCIMGroupRole) string {
	if r == nil {
		r = []store.SCIMGroupRole{}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// nullBytes stores an empty digest as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (q *queries) CreateSCIMConnection(ctx context.Context, c *store.SCIMConnection) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO scim_connections (`+scimConnCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ProjectID, c.OrganizationID, c.ID, c.DisplayName, c.IdentityProvider, c.TokenHash, c.TokenLastFour,
		nullBytes(c.NextTokenHash), c.NextTokenLastFour, groupRolesJSON(c.GroupRoles), ts(c.CreatedAt), ts(c.UpdatedAt))
	if _, ok := q.d.uniqueViolation(err); ok {
		return &store.ErrConflict{Field: "organization_id"}
	}
	return q.mapErr(err)
}

func (q *queries) GetSCIMConnection(ctx context.Context, id string) (*store.SCIMConnection, error) {
	c, err := scanSCIMConn(q.ex.QueryRowContext(ctx, `SELECT `+scimConnCols+` FROM scim_connections WHERE id = $1`, id))
	return c, q.mapErr(err)
}

func (q *queries) GetOrgSCIMConnection(ctx context.Context, projectID, organizationID string) (*store.SCIMConnection, error) {
	c, err := scanSCIMConn(q.ex.QueryRowContext(ctx, `SELECT `+scimConnCols+` FROM scim_connections
		WHERE project_id = $1 AND organization_id = $2`, projectID, organizationID))
	return c, q.mapErr(err)
}

func (q *queries) GetSCIMConnectionForUpdate(ctx context.Context, projectID, id string) (*store.SCIMConnection, error) {
	c, err := scanSCIMConn(q.ex.QueryRowContext(ctx, `SELECT `+scimConnCols+` FROM scim_connections
		WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, id))
	return c, q.mapErr(err)
}

func (q *queries) UpdateSCIMConnection(ctx context.Context, c *store.SCIMConnection) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `UPDATE scim_connections SET display_name = $3, identity_provider = $4,
		token_hash = $5, token_last_four = $6, next_token_hash = $7, next_token_last_four = $8, group_roles = $9, updated_at = $10
		WHERE project_id = $1 AND id = $2`,
		c.ProjectID, c.ID, c.DisplayName, c.IdentityProvider, c.TokenHash, c.TokenLastFour, nullBytes(c.NextTokenHash),
		c.NextTokenLastFour, groupRolesJSON(c.GroupRoles), ts(c.UpdatedAt)))
}

func (q *queries) DeleteSCIMConnection(ctx context.Context, projectID, id string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM scim_connections WHERE project_id = $1 AND id = $2`, projectID, id))
}

const scimUserCols = `project_id, connection_id, member_id, registration_id, user_name, external_id, display_name, email,
	active, resource, created_at, updated_at`

func scanSCIMUser(row rowScanner) (*store.SCIMUser, error) {
	u := &store.SCIMUser{}
	err := row.Scan(&u.ProjectID, &u.ConnectionID, &u.MemberID, &u.RegistrationID, &u.UserName, &u.ExternalID,
		&u.DisplayName, &u.Email, &u.Active, jsonCol{&u.Resource, "{}"}, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt})
	return u, err
}

func (q *queries) scimUserConflict(err error) error {
	if text, ok := q.d.uniqueViolation(err); ok {
		if strings.Contains(text, "user_name") {
			return &store.ErrConflict{Field: "user_name"}
		}
		return &store.ErrConflict{Field: "member_id"}
	}
	return q.mapErr(err)
}

func (q *queries) CreateSCIMUser(ctx context.Context, u *store.SCIMUser) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO scim_users (`+scimUserCols+`, user_name_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		u.ProjectID, u.ConnectionID, u.MemberID, u.RegistrationID, u.UserName, u.ExternalID, u.DisplayName,
		strings.ToLower(u.Email), u.Active, js(u.Resource, "{}"), ts(u.CreatedAt), ts(u.UpdatedAt), strings.ToLower(u.UserName))
	return q.scimUserConflict(err)
}

func (q *queries) UpdateSCIMUser(ctx context.Context, u *store.SCIMUser) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE scim_users SET user_name = $3, user_name_key = $4, external_id = $5,
		display_name = $6, email = $7, active = $8, resource = $9, updated_at = $10
		WHERE connection_id = $1 AND member_id = $2`,
		u.ConnectionID, u.MemberID, u.UserName, strings.ToLower(u.UserName), u.ExternalID, u.DisplayName,
		strings.ToLower(u.Email), u.Active, js(u.Resource, "{}"), ts(u.UpdatedAt))
	if err != nil {
		return q.scimUserConflict(err)
	}
	return q.affectedOne(res, nil)
}

func (q *queries) GetSCIMUser(ctx context.Context, connectionID, memberID string) (*store.SCIMUser, error) {
	u, err := scanSCIMUser(q.ex.QueryRowContext(ctx, `SELECT `+scimUserCols+` FROM scim_users
		WHERE connection_id = $1 AND member_id = $2`, connectionID, memberID))
	return u, q.mapErr(err)
}

func (q *queries) GetSCIMUserForUpdate(ctx context.Context, connectionID, memberID string) (*store.SCIMUser, error) {
	u, err := scanSCIMUser(q.ex.QueryRowContext(ctx, `SELECT `+scimUserCols+` FROM scim_users
		WHERE connection_id = $1 AND member_id = $2`+q.d.forUpdate(), connectionID, memberID))
	return u, q.mapErr(err)
}

func (q *queries) ExistingSCIMUsers(ctx context.Context, connectionID string, memberIDs ...string) ([]string, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	in, _ := placeholders(2, len(memberIDs))
	args := []any{connectionID}
	for _, id := range memberIDs {
		args = append(args, id)
	}
	return queryAll(ctx, q, `SELECT member_id FROM scim_users WHERE connection_id = $1 AND member_id IN (`+in+`)`, args,
		func(r rowScanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}

func (q *queries) DeleteSCIMUser(ctx context.Context, connectionID, memberID string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM scim_users WHERE connection_id = $1 AND member_id = $2`, connectionID, memberID))
}

// scimUserColumns maps filter attributes to scim_users columns; user_name
// and email compare against lower-cased columns.
var scimUserColumns = map[string]string{
	store.SCIMAttrID: "member_id", store.SCIMAttrUserName: "user_name_key", store.SCIMAttrExternalID: "external_id",
	store.SCIMAttrEmail: "email", store.SCIMAttrDisplayName: "display_name", store.SCIMAttrActive: "active",
}

var scimGroupColumns = map[string]string{
	store.SCIMAttrID: "id", store.SCIMAttrExternalID: "external_id", store.SCIMAttrDisplayName: "display_name",
	store.SCIMAttrMember: "member",
}

// scimWhere translates a checked filter into SQL over cols, appending its
// values to args as $n placeholders. Every comparison is on an indexed
// column of the connection, and the whole condition is ANDed with
// connection_id, so an eq filter reads one index range.
func scimWhere(c *store.SCIMCond, cols map[string]string, args *[]any) (string, error) {
	switch c.Kind {
	case store.SCIMAnd, store.SCIMOr:
		if c.Left == nil || c.Right == nil {
			return "", fmt.Errorf("sqlstore: scim %s without operands", c.Kind)
		}
		l, err := scimWhere(c.Left, cols, args)
		if err != nil {
			return "", err
		}
		r, err := scimWhere(c.Right, cols, args)
		if err != nil {
			return "", err
		}
		return "(" + l + " " + strings.ToUpper(c.Kind) + " " + r + ")", nil
	case store.SCIMNot:
		if c.Left == nil {
			return "", fmt.Errorf("sqlstore: scim not without operand")
		}
		l, err := scimWhere(c.Left, cols, args)
		if err != nil {
			return "", err
		}
		return "(NOT " + l + ")", nil
	case store.SCIMCmp:
	default:
		return "", fmt.Errorf("sqlstore: scim filter kind %q", c.Kind)
	}
	col, ok := cols[c.Attr]
	if !ok {
		return "", fmt.Errorf("sqlstore: scim filter attribute %q", c.Attr)
	}
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + itoa(len(*args))
	}
	value := c.Value
	if col == "user_name_key" || col == "email" {
		value = strings.ToLower(value)
	}
	if col == "member" {
		// Through the membership table's primary key (group_id, member_id):
		// one index probe per group row.
		if c.Op != store.SCIMEq {
			return "", fmt.Errorf("sqlstore: scim operator %q on members", c.Op)
		}
		return "EXISTS (SELECT 1 FROM scim_group_members gm WHERE gm.group_id = scim_groups.id AND gm.member_id = " + arg(c.Value) + ")", nil
	}
	if col == "active" {
		switch c.Op {
		case store.SCIMEq:
			return col + " = " + arg(c.Bool), nil
		case store.SCIMNe:
			return col + " <> " + arg(c.Bool), nil
		case store.SCIMPr:
			return "1 = 1", nil
		}
		return "", fmt.Errorf("sqlstore: scim operator %q on a boolean", c.Op)
	}
	like := func(pattern string) string {
		if col == "user_name_key" || col == "email" {
			return col + " LIKE " + arg(pattern) + ` ESCAPE '\'`
		}
		return "lower(" + col + ") LIKE " + arg(strings.ToLower(pattern)) + ` ESCAPE '\'`
	}
	switch c.Op {
	case store.SCIMEq:
		return col + " = " + arg(value), nil
	case store.SCIMNe:
		return col + " <> " + arg(value), nil
	case store.SCIMPr:
		return col + " <> ''", nil
	case store.SCIMCo:
		return like("%" + likeEscape(value) + "%"), nil
	case store.SCIMSw:
		return like(likeEscape(value) + "%"), nil
	case store.SCIMEw:
		return like("%" + likeEscape(value)), nil
	}
	return "", fmt.Errorf("sqlstore: scim operator %q", c.Op)
}

// scimPage counts the matching rows of table and reads one page of them.
func scimPage[T any](ctx context.Context, q *queries, table, cols, idCol string, colMap map[string]string, l store.SCIMList,
	scan func(rowScanner) (T, error)) ([]T, int, error) {
	args := []any{l.ConnectionID}
	cond := "connection_id = $1"
	if l.Where != nil {
		w, err := scimWhere(l.Where, colMap, &args)
		if err != nil {
			return nil, 0, err
		}
		cond += " AND " + w
	}
	var total int
	if err := q.ex.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, q.mapErr(err)
	}
	if l.Limit <= 0 || total <= l.Offset {
		return nil, total, nil
	}
	n := len(args)
	out, err := queryAll(ctx, q, `SELECT `+cols+` FROM `+table+` WHERE `+cond+` ORDER BY created_at, `+idCol+
		` LIMIT $`+itoa(n+1)+` OFFSET $`+itoa(n+2), append(args, l.Limit, l.Offset), scan)
	return out, total, err
}

func (q *queries) ListSCIMUsers(ctx context.Context, l store.SCIMList) ([]*store.SCIMUser, int, error) {
	return scimPage(ctx, q, "scim_users", scimUserCols, "member_id", scimUserColumns, l, scanSCIMUser)
}

func (q *queries) ListSCIMRegistrations(ctx context.Context, projectID string, memberIDs ...string) ([]*store.SCIMRegistration, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	in, _ := placeholders(2, len(memberIDs))
	args := []any{projectID}
	for _, id := range memberIDs {
		args = append(args, id)
	}
	cols := "u." + strings.ReplaceAll(scimUserCols, ", ", ", u.")
	regs, err := queryAll(ctx, q, `SELECT `+cols+`, c.group_roles FROM scim_users u
		JOIN scim_connections c ON c.id = u.connection_id
		WHERE u.project_id = $1 AND u.member_id IN (`+in+`) ORDER BY u.created_at, u.member_id`, args,
		func(r rowScanner) (*store.SCIMRegistration, error) {
			u := &store.SCIMUser{}
			var roles json.RawMessage
			err := r.Scan(&u.ProjectID, &u.ConnectionID, &u.MemberID, &u.RegistrationID, &u.UserName, &u.ExternalID,
				&u.DisplayName, &u.Email, &u.Active, jsonCol{&u.Resource, "{}"}, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt},
				jsonCol{&roles, "[]"})
			if err != nil {
				return nil, err
			}
			reg := &store.SCIMRegistration{User: u}
			if err := json.Unmarshal(roles, &reg.GroupRoles); err != nil {
				return nil, fmt.Errorf("sqlstore: scim group roles: %w", err)
			}
			return reg, nil
		})
	if err != nil || len(regs) == 0 {
		return regs, err
	}
	ms, err := q.ListSCIMUserGroups(ctx, memberIDs...)
	if err != nil {
		return nil, err
	}
	byMember := map[string]*store.SCIMRegistration{}
	for _, r := range regs {
		byMember[r.User.MemberID] = r
	}
	for _, m := range ms {
		if r := byMember[m.MemberID]; r != nil {
			r.GroupIDs = append(r.GroupIDs, m.GroupID)
			r.Groups = append(r.Groups, m)
		}
	}
	return regs, nil
}

const scimGroupCols = `project_id, connection_id, id, display_name, external_id, created_at, updated_at`

func scanSCIMGroup(row rowScanner) (*store.SCIMGroup, error) {
	g := &store.SCIMGroup{}
	err := row.Scan(&g.ProjectID, &g.ConnectionID, &g.ID, &g.DisplayName, &g.ExternalID, timeCol{&g.CreatedAt}, timeCol{&g.UpdatedAt})
	return g, err
}

func (q *queries) CreateSCIMGroup(ctx context.Context, g *store.SCIMGroup) error {
	_, err := q.ex.ExecContext(ctx, `INSERT INTO scim_groups (`+scimGroupCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		g.ProjectID, g.ConnectionID, g.ID, g.DisplayName, g.ExternalID, ts(g.CreatedAt), ts(g.UpdatedAt))
	if _, ok := q.d.uniqueViolation(err); ok {
		return &store.ErrConflict{Field: "id"}
	}
	return q.mapErr(err)
}

func (q *queries) UpdateSCIMGroup(ctx context.Context, g *store.SCIMGroup) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `UPDATE scim_groups SET display_name = $3, external_id = $4, updated_at = $5
		WHERE connection_id = $1 AND id = $2`, g.ConnectionID, g.ID, g.DisplayName, g.ExternalID, ts(g.UpdatedAt)))
}

func (q *queries) GetSCIMGroup(ctx context.Context, connectionID, id string) (*store.SCIMGroup, error) {
	g, err := scanSCIMGroup(q.ex.QueryRowContext(ctx, `SELECT `+scimGroupCols+` FROM scim_groups
		WHERE connection_id = $1 AND id = $2`, connectionID, id))
	return g, q.mapErr(err)
}

func (q *queries) GetSCIMGroupForUpdate(ctx context.Context, connectionID, id string) (*store.SCIMGroup, error) {
	g, err := scanSCIMGroup(q.ex.QueryRowContext(ctx, `SELECT `+scimGroupCols+` FROM scim_groups
		WHERE connection_id = $1 AND id = $2`+q.d.forUpdate(), connectionID, id))
	return g, q.mapErr(err)
}

func (q *queries) DeleteSCIMGroup(ctx context.Context, connectionID, id string) error {
	return q.affectedOne(q.ex.ExecContext(ctx, `DELETE FROM scim_groups WHERE connection_id = $1 AND id = $2`, connectionID, id))
}

func (q *queries) ListSCIMGroups(ctx context.Context, l store.SCIMList) ([]*store.SCIMGroup, int, error) {
	return scimPage(ctx, q, "scim_groups", scimGroupCols, "id", scimGroupColumns, l, scanSCIMGroup)
}

func (q *queries) AddSCIMGroupMembers(ctx context.Context, groupID string, memberIDs ...string) error {
	for _, id := range memberIDs {
		if _, err := q.ex.ExecContext(ctx, `INSERT INTO scim_group_members (group_id, member_id) VALUES ($1, $2)
			ON CONFLICT (group_id, member_id) DO NOTHING`, groupID, id); err != nil {
			return q.mapErr(err)
		}
	}
	return nil
}

func (q *queries) RemoveSCIMGroupMembers(ctx context.Context, groupID string, all bool, memberIDs ...string) error {
	if all {
		_, err := q.ex.ExecContext(ctx, `DELETE FROM scim_group_members WHERE group_id = $1`, groupID)
		return q.mapErr(err)
	}
	if len(memberIDs) == 0 {
		return nil
	}
	in, _ := placeholders(2, len(memberIDs))
	args := []any{groupID}
	for _, id := range memberIDs {
		args = append(args, id)
	}
	_, err := q.ex.ExecContext(ctx, `DELETE FROM scim_group_members WHERE group_id = $1 AND member_id IN (`+in+`)`, args...)
	return q.mapErr(err)
}

func scanMembership(r rowScanner) (store.SCIMMembership, error) {
	var m store.SCIMMembership
	return m, r.Scan(&m.GroupID, &m.GroupDisplayName, &m.MemberID, &m.UserName)
}

const membershipSelect = `SELECT gm.group_id, g.display_name, gm.member_id, u.user_name FROM scim_group_members gm
	JOIN scim_groups g ON g.id = gm.group_id JOIN scim_users u ON u.member_id = gm.member_id`

func (q *queries) ListSCIMGroupMembers(ctx context.Context, groupIDs ...string) ([]store.SCIMMembership, error) {
	if len(groupIDs) == 0 {
		return nil, nil
	}
	in, _ := placeholders(1, len(groupIDs))
	args := make([]any, len(groupIDs))
	for i, id := range groupIDs {
		args[i] = id
	}
	return queryAll(ctx, q, membershipSelect+` WHERE gm.group_id IN (`+in+`) ORDER BY u.created_at, gm.member_id`, args, scanMembership)
}

func (q *queries) ListSCIMUserGroups(ctx context.Context, memberIDs ...string) ([]store.SCIMMembership, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	in, _ := placeholders(1, len(memberIDs))
	args := make([]any, len(memberIDs))
	for i, id := range memberIDs {
		args[i] = id
	}
	return queryAll(ctx, q, membershipSelect+` WHERE gm.member_id IN (`+in+`) ORDER BY g.created_at, gm.group_id`, args, scanMembership)
}
