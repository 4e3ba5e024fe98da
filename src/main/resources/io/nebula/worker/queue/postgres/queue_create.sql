-- Makes a queue known on an operator's request; returns a row only when it was not known yet.
INSERT INTO "${schema}".queues (name, paused, updated_at) VALUES (:name, false, now())
ON CONFLICT (name) DO NOTHING
RETURNING name;
