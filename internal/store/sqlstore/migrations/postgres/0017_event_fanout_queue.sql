-- New events wait for the dispatcher's fan-out in a narrow queue of their
-- sequence numbers instead of behind a flag on the event row. Setting the
-- flag rewrote the whole row (the payload with it) and, since a partial
-- index read the flag, added an entry to every index of events: under a
-- steady stream of changes PostgreSQL did that work a second time for every
-- event. A queue row is inserted by a trigger with its event (so no writer
-- can forget it, and it commits or rolls back with it) and deleted when the
-- event is fanned out.
CREATE TABLE event_fanout (
    seq BIGINT PRIMARY KEY
);

INSERT INTO event_fanout (seq) SELECT seq FROM events WHERE NOT fanned_out;

CREATE FUNCTION event_fanout_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_fanout (seq) VALUES (NEW.seq);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_enqueue_fanout AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION event_fanout_enqueue();

DROP INDEX events_unfanned;
ALTER TABLE events DROP COLUMN fanned_out;
