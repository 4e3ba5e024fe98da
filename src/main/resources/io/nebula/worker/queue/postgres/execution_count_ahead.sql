-- How many due executions of the same queue come before :id in claim order (priority, run_at,
-- id), counted only up to :cap so the cost stays bounded on a long backlog. The row comparison
-- walks the partial index executions_claim. Used by `executions explain` to say "waiting its turn
-- behind N".
SELECT count(*) AS n
  FROM (SELECT 1
          FROM "${schema}".executions me
          JOIN "${schema}".executions c
            ON c.state = 'available'
           AND c.queue = me.queue
           AND c.run_at <= now()
           AND (c.priority, c.run_at, c.id) < (me.priority, me.run_at, me.id)
         WHERE me.id = :id
         LIMIT :cap) s;
