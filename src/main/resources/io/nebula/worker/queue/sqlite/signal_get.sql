-- One signal of one execution (primary key), with the database clock.
SELECT name, data, received_at, node_id, waiting_since, timeout_at, CAST(unixepoch('subsec') * 1000 AS INTEGER) AS db_now
  FROM signals WHERE execution_id = :id AND name = :name;
