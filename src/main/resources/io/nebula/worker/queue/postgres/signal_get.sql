-- One signal of one execution (primary key), with the database clock.
SELECT name, data::text AS data, received_at, node_id, waiting_since, timeout_at, now() AS db_now
  FROM "${schema}".signals WHERE execution_id = :id AND name = :name;
