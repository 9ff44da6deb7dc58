-- A project's own RBAC policy (set with PUT /pwa/v3/.../rbac_policy or
-- `seam project rbac-policy set`), in the SEAM_RBAC_POLICY file shape; NULL
-- while the deployment's policy applies. A column of the project row, not a
-- table, so the request that authenticated its project already holds it.
ALTER TABLE projects ADD COLUMN rbac_policy TEXT;
