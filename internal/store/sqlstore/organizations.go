package sqlstore

import (
	"context"
	"strings"

	"github.com/seamsso/seam/internal/store"
)

const orgCols = `project_id, id, name, slug, external_id, logo_url, sso_jit_provisioning,
	sso_default_connection_id, trusted_metadata, settings, custom_roles, created_at, updated_at`

func scanOrg(row rowScanner) (*store.Organization, error) {
	o := &store.Organization{}
	err := row.Scan(&o.ProjectID, &o.ID, &o.Name, &o.Slug, strCol{&o.ExternalID}, &o.LogoURL,
		&o.SSOJITProvisioning, &o.SSODefaultConnectionID, jsonCol{&o.TrustedMetadata, "{}"},
		jsonCol{&o.Settings, "{}"}, jsonCol{&o.CustomRoles, "[]"}, timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt})
	return o, err
}

func (q *queries) CreateOrganization(ctx context.Context, o *store.Organization, ev *store.Event) error {
	return q.writeOne(ctx, ev, `INSERT INTO organizations (`+orgCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		o.ProjectID, o.ID, o.Name, o.Slug, nullStr(o.ExternalID), o.LogoURL, o.SSOJITProvisioning,
		o.SSODefaultConnectionID, js(o.TrustedMetadata, "{}"), js(o.Settings, "{}"), js(o.CustomRoles, "[]"),
		ts(o.CreatedAt), ts(o.UpdatedAt))
}

// orgByRef matches an ID, a slug or an external ID. IDs are tried first so
// that a slug can never shadow another organization's ID.
const orgByRef = `SELECT ` + orgCols + ` FROM organizations WHERE project_id = $1 AND (id = $2 OR slug = $2 OR external_id = $2)
	ORDER BY CASE WHEN id = $2 THEN 0 WHEN slug = $2 THEN 1 ELSE 2 END LIMIT 1`

func (q *queries) GetOrganization(ctx context.Context, projectID, ref string) (*store.Organization, error) {
	o, err := scanOrg(q.ex.QueryRowContext(ctx, orgByRef, projectID, ref))
	return o, q.mapErr(err)
}

func (q *queries) GetOrganizationForUpdate(ctx context.Context, projectID, ref string) (*store.Organization, error) {
	// Resolve first, then lock by primary key: PostgreSQL does not allow
	// FOR UPDATE together with the ORDER BY CASE ... LIMIT on every version.
	o, err := q.GetOrganization(ctx, projectID, ref)
	if err != nil {
		return nil, err
	}
	o, err = scanOrg(q.ex.QueryRowContext(ctx, `SELECT `+orgCols+` FROM organizations WHERE project_id = $1 AND id = $2`+q.d.forUpdate(), projectID, o.ID))
	return o, q.mapErr(err)
}

func (q *queries) UpdateOrganization(ctx context.Context, o *store.Organization) error {
	res, err := q.ex.ExecContext(ctx, `UPDATE organizations SET name = $3, slug = $4, external_id = $5, logo_url = $6,
		sso_jit_provisioning = $7, sso_default_connection_id = $8, trusted_metadata = $9, settings = $10,
		custom_roles = $11, updated_at = $12 WHERE project_id = $1 AND id = $2`,
		o.ProjectID, o.ID, o.Name, o.Slug, nullStr(o.ExternalID), o.LogoURL, o.SSOJITProvisioning,
		o.SSODefaultConnectionID, js(o.TrustedMetadata, "{}"), js(o.Settings, "{}"), js(o.CustomRoles, "[]"), ts(o.UpdatedAt))
	return q.affectedOne(res, err)
}

func (q *queries) DeleteOrganization(ctx context.Context, projectID, id string) error {
	res, err := q.ex.ExecContext(ctx, `DELETE FROM organizations WHERE project_id = $1 AND id = $2`, projectID, id)
	return q.affectedOne(res, err)
}

func (q *queries) SearchOrganizations(ctx context.Context, f store.OrganizationFilter) ([]*store.Organization, int, error) {
	where := []string{"project_id = $1"}
	args := []any{f.ProjectID}
	n := 2
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var ph string
		ph, n = placeholders(n, len(vals))
		where = append(where, col+" IN ("+ph+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("id", f.IDs)
	in("slug", f.Slugs)
	in("external_id", f.ExternalIDs)
	if len(f.NameFuzzy) > 0 {
		var ors []string
		for _, s := range f.NameFuzzy {
			ors = append(ors, "LOWER(name) LIKE $"+itoa(n)+" ESCAPE '\\'")
			args = append(args, "%"+likeEscape(strings.ToLower(s))+"%")
			n++
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	return keysetPage(ctx, q, "organizations", orgCols, strings.Join(where, " AND "), args, f.Keyset,
		func(r rowScanner) (*store.Organization, error) { return scanOrg(r) })
}
