CREATE TABLE sso_requests (
    id                  TEXT PRIMARY KEY,
    project_id          TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    connection_id       TEXT NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    organization_id     TEXT NOT NULL,
    login_redirect_url  TEXT NOT NULL DEFAULT '',
    signup_redirect_url TEXT NOT NULL DEFAULT '',
    pkce_code_challenge TEXT NOT NULL DEFAULT '',
    secrets             TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    expires_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX sso_requests_expiry ON sso_requests (expires_at);

CREATE TABLE saml_assertions_seen (
    connection_id TEXT NOT NULL,
    assertion_id  TEXT NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX saml_assertions_seen_expiry ON saml_assertions_seen (expires_at);

CREATE TABLE sso_tokens (
    token_hash          BYTEA PRIMARY KEY,
    project_id          TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id       TEXT NOT NULL,
    pkce_code_challenge TEXT NOT NULL DEFAULT '',
    identity            JSONB NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    expires_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX sso_tokens_expiry ON sso_tokens (expires_at);

CREATE TABLE sso_login_attempts (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    connection_id   TEXT NOT NULL,
    request_id      TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    error_type      TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    facts           JSONB NOT NULL DEFAULT '{}',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX sso_login_attempts_by_connection ON sso_login_attempts (project_id, connection_id, created_at);
