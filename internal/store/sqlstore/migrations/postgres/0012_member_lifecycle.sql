-- The member lifecycle: deleted members and retired email addresses.
-- Times are TIMESTAMPTZ.

-- A deleted member leaves the members table (its registrations and sessions
-- go with it, and its email address and external ID are free again) but is
-- kept here, as it was, so that Reactivate Member can bring it back and
-- Dangerously Get Member with include_deleted can show it. member is the
-- member row as JSON (sqlstore encodes it).
CREATE TABLE deleted_members (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member          JSONB NOT NULL,
    deleted_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX deleted_members_by_organization ON deleted_members (project_id, organization_id);

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
