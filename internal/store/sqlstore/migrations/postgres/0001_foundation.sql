-- Projects and organizations.
CREATE TABLE projects (
    id            TEXT PRIMARY KEY,
    environment   TEXT NOT NULL CHECK (environment IN ('test', 'live')),
    name          TEXT NOT NULL,
    secret_hash   BYTEA NOT NULL,
    public_token  TEXT NOT NULL UNIQUE,
    redirect_urls JSONB NOT NULL DEFAULT '[]',
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE organizations (
    id                        TEXT PRIMARY KEY,
    project_id                TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name                      TEXT NOT NULL,
    slug                      TEXT NOT NULL,
    external_id               TEXT,
    logo_url                  TEXT NOT NULL DEFAULT '',
    sso_jit_provisioning      TEXT NOT NULL,
    sso_default_connection_id TEXT NOT NULL DEFAULT '',
    trusted_metadata          JSONB NOT NULL DEFAULT '{}',
    settings                  JSONB NOT NULL DEFAULT '{}',
    custom_roles              JSONB NOT NULL DEFAULT '[]',
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CONSTRAINT organizations_slug_key UNIQUE (project_id, slug),
    CONSTRAINT organizations_external_id_key UNIQUE (project_id, external_id)
);
CREATE INDEX organizations_by_created ON organizations (project_id, created_at, id);
