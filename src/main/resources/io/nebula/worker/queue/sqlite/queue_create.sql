-- Makes a queue known on an operator's request; returns a row only when it was not known yet.
INSERT INTO queues (name, paused, updated_at) VALUES (:name, 0, CAST(unixepoch('subsec') * 1000 AS INTEGER))
ON CONFLICT (name) DO NOTHING
RETURNING name;
