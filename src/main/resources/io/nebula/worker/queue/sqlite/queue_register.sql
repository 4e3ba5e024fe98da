-- Makes the queues a registering worker serves known (queues primary key; existing rows untouched).
INSERT INTO queues (name, paused, updated_at)
SELECT DISTINCT value, 0, CAST(unixepoch('subsec') * 1000 AS INTEGER) FROM json_each(:names) WHERE true
ON CONFLICT (name) DO NOTHING;
