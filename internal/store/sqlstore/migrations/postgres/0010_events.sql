-- Events (issue 13): one row per committed change, written in the change's
-- transaction (a transactional outbox). seq orders events for cursors and
-- for per-object delivery order; fanned_out is false until the dispatcher
-- has made the event's delivery rows (one per subscribed endpoint).
CREATE TABLE events (
    seq             BIGSERIAL PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL DEFAULT '',
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    action          TEXT NOT NULL,
    source          TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    actor_type      TEXT NOT NULL,
    actor_id        TEXT NOT NULL DEFAULT '',
    actor_member_id TEXT NOT NULL DEFAULT '',
    payload         JSONB NOT NULL,
    fanned_out      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_project ON events (project_id, seq);
CREATE INDEX events_object ON events (project_id, object_id, seq);
CREATE INDEX events_created ON events (created_at);
CREATE INDEX events_unfanned ON events (seq) WHERE NOT fanned_out;

-- Webhook endpoints of a project. The signing secret is sealed under the
-- master key (it must be read to sign); during a rotation the previous one
-- signs too until previous_expires_at.
CREATE TABLE webhook_endpoints (
    id                  TEXT PRIMARY KEY,
    project_id          TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    url                 TEXT NOT NULL,
    event_types         JSONB NOT NULL,
    enabled             BOOLEAN NOT NULL,
    disabled_reason     TEXT NOT NULL DEFAULT '',
    secret_sealed       TEXT NOT NULL,
    previous_sealed     TEXT NOT NULL DEFAULT '',
    previous_expires_at TIMESTAMPTZ,
    failure_streak      INTEGER NOT NULL DEFAULT 0,
    failing_since       TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_endpoints_project ON webhook_endpoints (project_id, created_at, id);

-- One delivery of one event to one endpoint; pending until delivered or
-- given up. locked_until is the claim lease of the dispatcher replica
-- sending it.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_seq       BIGINT NOT NULL,
    object_id       TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, object_id, event_seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Every attempt of a delivery, for the deliveries API.
CREATE TABLE webhook_attempts (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    event_id     TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    latency_ms   BIGINT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, created_at, id);
