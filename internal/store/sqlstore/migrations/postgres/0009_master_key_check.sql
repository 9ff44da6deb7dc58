-- One value sealed under the master key, written by the first process that
-- starts on the database. Every later start and every readiness probe opens
-- it, so a replica given another SEAM_SECRET_KEY refuses to start and never
-- reports ready (internal/health).
CREATE TABLE master_key_check (
    id         INTEGER PRIMARY KEY,
    sealed     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
