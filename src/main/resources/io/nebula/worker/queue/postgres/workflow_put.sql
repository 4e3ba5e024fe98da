-- Stores a definition by content hash; the same hash twice is a no-op (primary key).
INSERT INTO "${schema}".workflows (hash, name, definition) VALUES (:hash, :name, :definition)
ON CONFLICT (hash) DO NOTHING;
