-- Every known queue with whether it is paused (queues primary key; a small table).
SELECT name, paused FROM queues ORDER BY name;
