-- V014: a checkpoint's fence holds its executions' rows until the checkpoint commits.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- checkpoint_nodes fenced each result by reading its execution's row (lease epoch, state running,
-- lease not expired) from the statement's snapshot. A rescue, and the next worker's claim, that
-- committed after that snapshot was taken were not seen: a checkpoint that ran slowly across its
-- lease's expiry could pass the fence after the execution had been rescued and claimed again, and
-- its results could then reach node_results after the new attempt had loaded its checkpoints (the
-- new attempt would run those nodes again, and the first success recorded would win over its own).
-- Now the fence takes each row FOR SHARE: a row a concurrent transaction changed is read again as
-- committed (so a rescue or claim that committed first fails the fence), and a rescue or claim
-- that comes later leaves the execution until the checkpoint has committed (a rescue takes its
-- candidates with SKIP LOCKED) and then finds its results recorded. Rows are locked in id order,
-- the order in which a heartbeat (lease_heartbeat.sql) locks them and in which the worker sends
-- its completions, so none of them waits for another in a cycle. A child that ends while its
-- parent's row is held this way passes the parent's wake-up on by NOTIFY (V013), as it does for
-- any other holder.
--
-- Otherwise as in V009 (same plan settings).
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
    WITH held AS (
        SELECT i.id, i.epoch, i.nodes, i.level, e.resumable
          FROM json_to_recordset(batch) AS i(id bigint, epoch bigint, nodes json, level boolean)
          JOIN executions e ON e.id = i.id AND e.lease_epoch = i.epoch AND e.state = 'running'
                           AND e.lease_expires_at > now()
         ORDER BY i.id
           FOR SHARE OF e
    ), fenced AS (
        SELECT h.id, h.epoch, h.nodes,
               coalesce(h.level, false) AND NOT h.resumable
               AND NOT EXISTS (SELECT 1 FROM workers w
                                WHERE NOT w.reads_levels AND w.last_seen_at > now() - interval '1 day') AS level
          FROM held h
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
