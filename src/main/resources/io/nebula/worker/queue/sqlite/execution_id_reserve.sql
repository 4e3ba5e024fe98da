-- The highest execution id ever used; the caller (holding the write lock) takes the next ones.
SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'executions'), 0),
           coalesce((SELECT max(id) FROM executions), 0)) AS base;
