-- Writing an event costs the change less (see the PostgreSQL migration of
-- the same number): an event is queued for fan-out only when its project
-- has an enabled webhook endpoint, and retention cleanup walks the primary
-- key instead of an index on created_at that every insert maintained.
DROP TRIGGER events_enqueue_fanout;

CREATE TRIGGER events_enqueue_fanout AFTER INSERT ON events
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE project_id = NEW.project_id AND enabled <> 0)
BEGIN
    INSERT INTO event_fanout (seq) VALUES (NEW.seq);
END;

DROP INDEX events_created;
