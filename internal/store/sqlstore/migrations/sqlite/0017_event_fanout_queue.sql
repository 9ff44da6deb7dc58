-- New events wait for the dispatcher's fan-out in a narrow queue of their
-- sequence numbers instead of behind a flag on the event row (see the
-- PostgreSQL migration of the same number: setting the flag rewrote the
-- event row and its indexes). A queue row is inserted by a trigger with its
-- event and deleted when the event is fanned out.
CREATE TABLE event_fanout (
    seq INTEGER PRIMARY KEY
);

INSERT INTO event_fanout (seq) SELECT seq FROM events WHERE fanned_out = 0;

CREATE TRIGGER events_enqueue_fanout AFTER INSERT ON events
BEGIN
    INSERT INTO event_fanout (seq) VALUES (NEW.seq);
END;

DROP INDEX events_unfanned;
ALTER TABLE events DROP COLUMN fanned_out;
