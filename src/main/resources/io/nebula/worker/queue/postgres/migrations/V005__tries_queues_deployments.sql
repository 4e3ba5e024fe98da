-- V005: failed node tries on their checkpoint row, known queues, deployed workflow versions.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.

-- A node's failed tries as a JSON array, NULL when it succeeded at once (no cost on the hot path).
ALTER TABLE node_results ADD COLUMN tries json;

-- A workflow version made current by `workflows deploy`; NULL for one only ever submitted as a
-- file. Submitting by name takes the newest deployed version of that name through this index.
ALTER TABLE workflows ADD COLUMN deployed_at timestamptz;
CREATE INDEX workflows_deployed ON workflows (name, deployed_at DESC) WHERE deployed_at IS NOT NULL;

-- The queues table now lists every known queue (paused or not): those executions were submitted
-- to and those registered workers serve. Workers add their queues when they register from now on.
INSERT INTO queues (name, paused, updated_at)
SELECT DISTINCT queue, false, now() FROM executions
ON CONFLICT (name) DO NOTHING;
INSERT INTO queues (name, paused, updated_at)
SELECT DISTINCT q, false, now() FROM workers, unnest(string_to_array(queues, ',')) AS q
 WHERE q <> ''
ON CONFLICT (name) DO NOTHING;
