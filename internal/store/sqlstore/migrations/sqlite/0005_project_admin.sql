-- Project administration (Stytch's Programmatic Workspace Actions API).
--
-- A Seam project is one Stytch environment: it keeps its project_id, and it
-- now also names the Stytch project it belongs to (project_slug) and its
-- slug inside it (environment_slug). Existing projects become their own
-- Stytch project, slugged by their project_id, with one environment slugged
-- by its type.
ALTER TABLE projects ADD COLUMN project_slug TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN environment_slug TEXT NOT NULL DEFAULT '';
UPDATE projects SET project_slug = id, environment_slug = environment;
CREATE UNIQUE INDEX projects_environment_slug_key ON projects (project_slug, environment_slug);

-- Several secrets per project, so that a secret rotates without downtime.
-- A migrated secret takes its ID from the project's UUID.
CREATE TABLE project_secrets (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    secret_hash BLOB NOT NULL,
    last_four   TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX project_secrets_by_project ON project_secrets (project_id, created_at, id);
INSERT INTO project_secrets (id, project_id, secret_hash, last_four, created_at)
SELECT 'secret-' || substr(id, 9), id, secret_hash, '', created_at FROM projects;

CREATE TABLE project_public_tokens (
    public_token TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL
);
CREATE INDEX project_public_tokens_by_project ON project_public_tokens (project_id, created_at);
INSERT INTO project_public_tokens (public_token, project_id, created_at)
SELECT public_token, id, created_at FROM projects;

-- Redirect URLs with Stytch's valid_types ([{"type":"LOGIN","is_default":true}, ...]).
-- A migrated URL is valid for LOGIN and SIGNUP, as before; the first one
-- registered is the default for both, as the start endpoint used it.
CREATE TABLE project_redirect_urls (
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    valid_types TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (project_id, url)
);
INSERT INTO project_redirect_urls (project_id, url, valid_types, created_at)
SELECT p.id, u.value,
       CASE WHEN u.key = 0
            THEN '[{"type":"LOGIN","is_default":true},{"type":"SIGNUP","is_default":true}]'
            ELSE '[{"type":"LOGIN","is_default":false},{"type":"SIGNUP","is_default":false}]' END,
       p.created_at
FROM projects p, json_each(p.redirect_urls) AS u
WHERE true
ORDER BY p.id, u.key
ON CONFLICT DO NOTHING;

-- The moved columns. public_token stays (SQLite cannot drop a UNIQUE column
-- without rebuilding a table that others reference, and both backends keep
-- one schema); it is no longer read and new rows store the project ID in it.
ALTER TABLE projects DROP COLUMN secret_hash;
ALTER TABLE projects DROP COLUMN redirect_urls;

-- Workspace management keys authenticate /pwa/v3/... Only the hash is kept.
CREATE TABLE workspace_keys (
    id          TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL,
    last_four   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
