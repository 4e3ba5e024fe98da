-- Gives the lease up at once so another process can take over without waiting for expiry.
DELETE FROM "${schema}".leader WHERE name = :name AND holder = :holder;
