-- The signals of one execution (primary key prefix), first waited for or delivered first.
SELECT name, data::text AS data, received_at, node_id, waiting_since, timeout_at, now() AS db_now
  FROM "${schema}".signals WHERE execution_id = :id
 ORDER BY coalesce(waiting_since, received_at), name;
