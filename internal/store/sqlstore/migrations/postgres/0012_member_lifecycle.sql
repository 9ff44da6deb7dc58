-- The member lifecycle: retired email addresses. A deleted member stays in
-- members with status 'deleted' (migration 0011 allows it).
-- Times are TIMESTAMPTZ.

-- An email address a member had before an update replaced it. It stays
-- reserved for that member in its organization until unlinked.
CREATE TABLE member_retired_emails (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id       TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT member_retired_emails_email_key UNIQUE (organization_id, email)
);
CREATE INDEX member_retired_emails_by_member ON member_retired_emails (member_id, created_at);
