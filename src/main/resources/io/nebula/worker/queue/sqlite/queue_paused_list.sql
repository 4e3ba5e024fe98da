-- Names of paused queues.
SELECT name FROM queues WHERE paused ORDER BY name;
