-- Keys of the built-in test IdP of test projects (internal/testidp).
CREATE TABLE test_idp_keys (
    project_id    TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    kid           TEXT NOT NULL,
    private_key   TEXT NOT NULL,
    certificate   TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
