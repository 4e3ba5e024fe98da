-- V005: failed node tries on their checkpoint row, known queues, deployed workflow versions.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.

-- A node's failed tries as a JSON array, NULL when it succeeded at once (no cost on the hot path).
ALTER TABLE node_results ADD COLUMN tries TEXT;

-- A workflow version made current by `workflows deploy`; NULL for one only ever submitted as a
-- file. Submitting by name takes the newest deployed version of that name through this index.
ALTER TABLE workflows ADD COLUMN deployed_at INTEGER;
CREATE INDEX workflows_deployed ON workflows (name, deployed_at DESC) WHERE deployed_at IS NOT NULL;

-- The queues table now lists every known queue (paused or not): those executions were submitted
-- to and those registered workers serve. Workers add their queues when they register from now on.
INSERT INTO queues (name, paused, updated_at)
SELECT DISTINCT queue, 0, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM executions WHERE true
ON CONFLICT (name) DO NOTHING;
WITH RECURSIVE split(rest, q) AS (
    SELECT queues || ',', NULL FROM workers
    UNION ALL
    SELECT substr(rest, instr(rest, ',') + 1), substr(rest, 1, instr(rest, ',') - 1)
      FROM split WHERE rest <> ''
)
INSERT INTO queues (name, paused, updated_at)
SELECT DISTINCT q, 0, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM split WHERE q IS NOT NULL AND q <> ''
ON CONFLICT (name) DO NOTHING;
