-- The session JWT last signed for a session, the digest of the claims it was
-- signed from (everything but iat, nbf, exp and last_accessed_at, plus the
-- signing key ID) and its iat in Unix seconds. sessions.authenticate answers
-- with it instead of signing again while it is young and its digest still
-- matches (package sessions). Empty until the first authenticate after this
-- migration.
ALTER TABLE member_sessions ADD COLUMN jwt TEXT NOT NULL DEFAULT '';
ALTER TABLE member_sessions ADD COLUMN jwt_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE member_sessions ADD COLUMN jwt_issued_at INTEGER NOT NULL DEFAULT 0;
