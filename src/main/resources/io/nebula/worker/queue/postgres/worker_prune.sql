-- Forgets workers not seen for a long time (they died without deregistering).
DELETE FROM "${schema}".workers WHERE last_seen_at < now() - :older_ms * interval '1 millisecond';
