-- Setup links (Seam extension): a link an organization's IT admin opens to
-- configure SSO. Only the SHA-256 of the link's secret is kept, as for
-- session tokens; a link reaches only its own organization.
CREATE TABLE setup_links (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash      BLOB NOT NULL UNIQUE,
    connection_kind TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    revoked_at      TEXT
);
CREATE INDEX setup_links_by_organization ON setup_links (project_id, organization_id, created_at, id);

-- A login started from a setup page's test button names its link: the
-- callback then reports the outcome to the page and creates no member,
-- session or SSO token.
ALTER TABLE sso_requests ADD COLUMN setup_link_id TEXT NOT NULL DEFAULT '';
