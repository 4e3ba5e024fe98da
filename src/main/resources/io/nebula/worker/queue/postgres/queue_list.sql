-- Every known queue with whether it is paused (queues primary key; a small table).
SELECT name, paused FROM "${schema}".queues ORDER BY name;
