-- Deletes one schedule (primary key); the executions it fired stay. Returns the name when it existed.
DELETE FROM "${schema}".schedules WHERE name = :name RETURNING name;
