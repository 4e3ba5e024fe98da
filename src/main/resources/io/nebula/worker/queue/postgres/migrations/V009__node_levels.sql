-- V009: a checkpoint of a first-time attempt's succeeded nodes is one row, not a row per node.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- A row costs the database about the same whatever its JSON holds (a heap tuple, an index entry,
-- their WAL), so a checkpoint of three nodes written as three node_results rows cost about three
-- times one row with the three nodes in it. node_levels keeps such checkpoints: nodes is the
-- checkpoint's JSON array of {node_id, status, output, error, attempt, started_ms, finished_ms},
-- as the batch carried it.
--
-- Only checkpoints that can never be superseded go here: every node succeeded with no failed tries
-- (the batch marks them "level": true), written under a lease of an execution that was never
-- resumed (executions.resumable is false, so no earlier attempt left a node_results row behind).
-- Everything else (failed and skipped nodes, nodes with tries, any write of a resumed execution)
-- is written by record_nodes as before, so node_tries and a retry's clearing of unfinished nodes
-- never have to edit a level. Readers take a node's results from both tables; a node found in
-- both (a checkpoint sent again after its commit was lost in transit) counts once, the earliest
-- final result winning, as record_nodes keeps the first succeeded row.
--
-- A worker built before this migration reads node_results only: were it to resume an execution
-- whose checkpoints are levels, it would run their nodes again. So levels are written only while
-- every registered worker reads them. workers.reads_levels is set by the registration of a build
-- that does; rows of older builds (registered before this migration, or by an older build after
-- it) keep the default, false. Such a row holds levels back until its worker deregisters (a clean
-- stop) or it was last seen a day ago (a worker that died; the registry prunes such rows at the
-- next registration). Until then checkpoints are written as before.
ALTER TABLE workers ADD COLUMN reads_levels boolean NOT NULL DEFAULT false;

CREATE TABLE node_levels (
    execution_id  bigint NOT NULL,
    lease_epoch   bigint NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    nodes         json NOT NULL
);
CREATE INDEX node_levels_execution ON node_levels (execution_id);

-- Otherwise as in V002 (same plan settings). The fence reads resumable from the row it already
-- looks up; the look at the registry is not correlated, so it runs once per statement; "fenced"
-- is read twice, so it is computed once.
CREATE OR REPLACE FUNCTION checkpoint_nodes(batch json)
RETURNS TABLE (id bigint)
LANGUAGE plpgsql
SET search_path = "${schema}"
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
BEGIN
    RETURN QUERY
    WITH fenced AS (
        SELECT i.id, i.epoch, i.nodes,
               coalesce(i.level, false) AND NOT e.resumable
               AND NOT EXISTS (SELECT 1 FROM workers w
                                WHERE NOT w.reads_levels AND w.last_seen_at > now() - interval '1 day') AS level
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, nodes json, level boolean)
          JOIN executions e ON e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
                           AND e.lease_expires_at > now()
    ), levels AS (
        INSERT INTO node_levels (execution_id, lease_epoch, nodes)
        SELECT f.id, f.epoch, f.nodes FROM fenced f WHERE f.level
    ), recorded AS (
        SELECT record_nodes(array_agg(f.id), array_agg(f.epoch), array_agg(f.nodes)) AS n
          FROM fenced f
         WHERE NOT f.level
    )
    SELECT f.id FROM fenced f, recorded;
END
$$;
