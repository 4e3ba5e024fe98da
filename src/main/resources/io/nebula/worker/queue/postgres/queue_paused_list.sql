-- Names of paused queues.
SELECT name FROM "${schema}".queues WHERE paused ORDER BY name;
