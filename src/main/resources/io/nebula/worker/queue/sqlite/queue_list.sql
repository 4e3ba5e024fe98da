-- Every known queue with whether it is paused and its limit on running executions (queues
-- primary key; a small table).
SELECT name, paused, max_running FROM queues ORDER BY name;
