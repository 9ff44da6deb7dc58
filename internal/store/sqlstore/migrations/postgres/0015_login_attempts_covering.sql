-- Recording a login attempt trims the connection's attempts to the newest
-- ones (ORDER BY created_at DESC, id DESC OFFSET keep). With id in the index
-- that walk reads the index alone; without it, every one of the kept
-- attempts was looked up in the table on every recorded attempt (half the
-- server CPU of a refused login, measured with bench/load
-- acs-untrusted-signature).
CREATE INDEX sso_login_attempts_by_connection_newest ON sso_login_attempts (project_id, connection_id, created_at, id);
DROP INDEX sso_login_attempts_by_connection;
