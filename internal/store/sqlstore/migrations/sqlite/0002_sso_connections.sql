CREATE TABLE sso_connections (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('saml', 'oidc', 'external')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    display_name    TEXT NOT NULL DEFAULT '',
    source_id       TEXT REFERENCES sso_connections (id) ON DELETE CASCADE,
    config          TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX sso_connections_by_org ON sso_connections (project_id, organization_id, created_at);
CREATE INDEX sso_connections_by_source ON sso_connections (source_id);
