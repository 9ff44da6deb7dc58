-- SAML connections configured from a metadata URL remember it and are
-- re-fetched on a schedule (docs/sso-connections.md#metadata-refresh).
-- next_refresh_at is also the claim: a replica takes due rows by moving it
-- forward in one UPDATE ... RETURNING, so no two replicas fetch one URL.
CREATE TABLE saml_metadata_sources (
    connection_id   TEXT PRIMARY KEY REFERENCES sso_connections (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    metadata_url    TEXT NOT NULL,
    next_refresh_at TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX saml_metadata_sources_due ON saml_metadata_sources (next_refresh_at);

-- One row per refresh attempt, the newest few kept per connection. added and
-- removed are JSON arrays of verification certificate IDs.
CREATE TABLE saml_metadata_refreshes (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL,
    connection_id TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    metadata_url  TEXT NOT NULL,
    attempted_at  TIMESTAMPTZ NOT NULL,
    outcome       TEXT NOT NULL,
    error_type    TEXT NOT NULL DEFAULT '',
    message       TEXT NOT NULL DEFAULT '',
    added         TEXT NOT NULL DEFAULT '[]',
    removed       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX saml_metadata_refreshes_by_connection ON saml_metadata_refreshes (connection_id, attempted_at);
