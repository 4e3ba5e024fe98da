-- The current, unexpired holder of the named lease.
SELECT holder FROM "${schema}".leader WHERE name = :name AND expires_at >= now();
