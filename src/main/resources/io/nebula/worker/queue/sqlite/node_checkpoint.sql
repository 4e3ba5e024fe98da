-- Writes node results fenced by their execution's lease, then reports which executions hold a
-- valid lease (their results written now or already present). :batch is a JSON array of
-- {id, epoch, nodes}. Rows are written through node_results_input (see V002), which keeps final
-- results and replaces failed ones. The caller holds the write lock (BEGIN IMMEDIATE), so no
-- rescue can interleave between the two statements. As on PostgreSQL, a lease whose expiry has
-- passed by the database clock no longer fences, rescued or not.
INSERT INTO node_results_input (execution_id, lease_epoch, nodes)
SELECT e.id, e.lease_epoch, r.value -> 'nodes'
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running'
                   AND e.lease_expires_at > CAST(unixepoch('subsec') * 1000 AS INTEGER);
SELECT e.id
  FROM json_each(:batch) r
  JOIN executions e ON e.id = r.value ->> 'id' AND e.lease_epoch = r.value ->> 'epoch'
                   AND e.state = 'running'
                   AND e.lease_expires_at > CAST(unixepoch('subsec') * 1000 AS INTEGER);
