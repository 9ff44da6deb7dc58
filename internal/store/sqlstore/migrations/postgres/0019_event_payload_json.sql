-- An event's payload is stored as the JSON text Seam wrote (json, not
-- jsonb). No query reads into it: it is only written with the event and
-- read back whole to be delivered or listed. As jsonb, PostgreSQL parsed
-- every payload (about 5 KB for a SAML connection) into its binary form on
-- insert and printed it back on read, with keys reordered; as json it checks
-- the syntax and keeps the bytes, the same bytes SQLite keeps, so a
-- delivered body is the same on both stores.
ALTER TABLE events ALTER COLUMN payload TYPE json USING payload::json;

-- Payloads over about 2 KB are compressed in place; lz4 costs a fraction of
-- the default pglz's CPU. A server built without lz4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE events ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    NULL;
END
$$;
