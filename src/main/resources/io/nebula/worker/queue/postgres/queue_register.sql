-- Makes the queues a registering worker serves known (queues primary key; existing rows untouched).
INSERT INTO "${schema}".queues (name, paused, updated_at)
SELECT DISTINCT q, false, now() FROM unnest(:names::text[]) AS q
ON CONFLICT (name) DO NOTHING;
