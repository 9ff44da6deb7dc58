-- Members, their SSO registrations, member sessions and session-JWT keys.
-- Times are fixed-width UTC text and booleans 0/1 (see encode.go).
CREATE TABLE members (
    id                 TEXT PRIMARY KEY,
    project_id         TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id    TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email              TEXT NOT NULL,
    external_id        TEXT,
    name               TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('active', 'pending', 'invited')),
    roles              TEXT NOT NULL DEFAULT '[]',
    trusted_metadata   TEXT NOT NULL DEFAULT '{}',
    untrusted_metadata TEXT NOT NULL DEFAULT '{}',
    is_breakglass      INTEGER NOT NULL DEFAULT 0,
    mfa_enrolled       INTEGER NOT NULL DEFAULT 0,
    mfa_phone_number   TEXT NOT NULL DEFAULT '',
    default_mfa_method TEXT NOT NULL DEFAULT '',
    email_verified     INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CONSTRAINT members_email_key UNIQUE (organization_id, email),
    CONSTRAINT members_external_id_key UNIQUE (organization_id, external_id)
);
CREATE INDEX members_by_created ON members (project_id, organization_id, created_at, id);

CREATE TABLE sso_registrations (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    member_id      TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    external_id    TEXT NOT NULL,
    sso_attributes TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT sso_registrations_external_id_key UNIQUE (connection_id, external_id),
    CONSTRAINT sso_registrations_member_connection_key UNIQUE (member_id, connection_id)
);

-- The token itself is never stored, only its SHA-256.
CREATE TABLE member_sessions (
    id                     TEXT PRIMARY KEY,
    project_id             TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id              TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash             BLOB NOT NULL,
    authentication_factors TEXT NOT NULL DEFAULT '[]',
    custom_claims          TEXT NOT NULL DEFAULT '{}',
    attributes             TEXT NOT NULL DEFAULT '{}',
    started_at             TEXT NOT NULL,
    last_accessed_at       TEXT NOT NULL,
    expires_at             TEXT NOT NULL,
    CONSTRAINT member_sessions_token_key UNIQUE (token_hash)
);
CREATE INDEX member_sessions_by_member ON member_sessions (member_id, expires_at);
CREATE INDEX member_sessions_expiry ON member_sessions (expires_at);

-- private_key is sealed under the master key. The unique generation per
-- project is what serializes replicas creating or rotating keys at once.
CREATE TABLE session_signing_keys (
    kid         TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    generation  INTEGER NOT NULL CHECK (generation > 0),
    private_key TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT session_signing_keys_generation_key UNIQUE (project_id, generation)
);
