-- SCIM directory sync (package scim): one SCIM connection per organization,
-- the SCIM users it provisioned (each bound to one member), its groups and
-- their memberships. Bearer tokens are stored as SHA-256 digests only.
CREATE TABLE scim_connections (
    id                       TEXT PRIMARY KEY,
    project_id               TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id          TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    display_name             TEXT NOT NULL DEFAULT '',
    identity_provider        TEXT NOT NULL DEFAULT 'generic',
    token_hash               BYTEA NOT NULL,
    token_last_four          TEXT NOT NULL,
    next_token_hash          BYTEA,
    next_token_last_four     TEXT NOT NULL DEFAULT '',
    group_roles              JSONB NOT NULL DEFAULT '[]',
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    CONSTRAINT scim_connections_organization_key UNIQUE (organization_id)
);

-- A SCIM User resource. Its id is the member's ID; user_name_key is the
-- lower-cased userName (unique per connection, RFC 7643 caseExact=false).
-- resource is the stored representation (RFC 7643 core + enterprise).
CREATE TABLE scim_users (
    member_id       TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    connection_id   TEXT NOT NULL REFERENCES scim_connections (id) ON DELETE CASCADE,
    registration_id TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    user_name_key   TEXT NOT NULL,
    external_id     TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL,
    resource        JSONB NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT scim_users_user_name_key UNIQUE (connection_id, user_name_key)
);
CREATE INDEX scim_users_by_external_id ON scim_users (connection_id, external_id);
CREATE INDEX scim_users_by_email ON scim_users (connection_id, email);
CREATE INDEX scim_users_by_display_name ON scim_users (connection_id, display_name);
CREATE INDEX scim_users_by_created ON scim_users (connection_id, created_at, member_id);

CREATE TABLE scim_groups (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES scim_connections (id) ON DELETE CASCADE,
    display_name  TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX scim_groups_by_display_name ON scim_groups (connection_id, display_name);
CREATE INDEX scim_groups_by_external_id ON scim_groups (connection_id, external_id);
CREATE INDEX scim_groups_by_created ON scim_groups (connection_id, created_at, id);

CREATE TABLE scim_group_members (
    group_id  TEXT NOT NULL REFERENCES scim_groups (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL REFERENCES scim_users (member_id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX scim_group_members_by_member ON scim_group_members (member_id);

-- A deleted member (Delete Member, or SCIM active=false or DELETE) stays in
-- members with status 'deleted', as Stytch shows it (package members).
ALTER TABLE members DROP CONSTRAINT IF EXISTS members_status_check;
ALTER TABLE members ADD CONSTRAINT members_status_check CHECK (status IN ('active', 'pending', 'invited', 'deleted'));
