-- Failed executions in finish order (finished_at, id), after the position (:after_position in
-- microseconds since the epoch, :after_id) or, without one, from :lookback_ms ago, and finished at
-- least :settle_ms ago; at most :limit. The maintenance leader walks them to cancel the children a
-- failed parent left unfinished. Reads the partial index executions_failed_recent (failed rows
-- only), so successes never enter the walk. Positions are compared as exact integers (a batch of
-- failures shares one finish time, and the id orders them); the index bound has a microsecond of
-- margin for the interval arithmetic.
SELECT id, workflow_hash, position
  FROM (SELECT id, workflow_hash, finished_at,
               (extract(epoch FROM finished_at) * 1000000)::bigint AS position
          FROM "${schema}".executions
         WHERE state = 'failed'
           AND finished_at <= now() - :settle_ms * interval '1 millisecond'
           AND finished_at >= CASE WHEN :after_id::bigint IS NULL
                                   THEN now() - :lookback_ms * interval '1 millisecond'
                                   ELSE timestamptz 'epoch' + (:after_position::bigint - 1) * interval '1 microsecond'
                              END) f
 WHERE :after_id::bigint IS NULL
    OR position > :after_position::bigint
    OR (position = :after_position::bigint AND id > :after_id::bigint)
 ORDER BY finished_at, id
 LIMIT :limit;
