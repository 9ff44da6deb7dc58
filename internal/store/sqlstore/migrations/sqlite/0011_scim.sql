-- SCIM directory sync (package scim); see the PostgreSQL migration for the
-- meaning of each table. Times are fixed-width UTC text, booleans 0/1.

-- A deleted member (Delete Member, or SCIM deprovisioning) stays in members
-- with status 'deleted'. SQLite cannot alter
-- a CHECK constraint, and rebuilding members would cascade-delete its
-- registrations and sessions (foreign keys are on inside the migration's
-- transaction), so the constraint text is widened in place: the documented
-- procedure for CHECK changes, which do not affect stored rows. RESET makes
-- this connection reparse the schema; the CREATE TABLE statements below
-- change the schema cookie, so every other connection reparses it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, '''invited''))', '''invited'', ''deleted''))')
    WHERE type = 'table' AND name = 'members' AND sql NOT LIKE '%''deleted''%';
PRAGMA writable_schema = RESET;

CREATE TABLE scim_connections (
    id                       TEXT PRIMARY KEY,
    project_id               TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id          TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    display_name             TEXT NOT NULL DEFAULT '',
    identity_provider        TEXT NOT NULL DEFAULT 'generic',
    token_hash               BLOB NOT NULL,
    token_last_four          TEXT NOT NULL,
    next_token_hash          BLOB,
    next_token_last_four     TEXT NOT NULL DEFAULT '',
    group_roles              TEXT NOT NULL DEFAULT '[]',
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    CONSTRAINT scim_connections_organization_key UNIQUE (organization_id)
);

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
    active          INTEGER NOT NULL,
    resource        TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
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
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
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
