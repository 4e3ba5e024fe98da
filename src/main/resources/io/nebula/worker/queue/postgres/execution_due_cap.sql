-- Brings forward the due time of executions execution_await_signal has just parked, in the same
-- transaction, when their workflow's timeout ends before any of their waits would time out: each
-- is then due after due_ms at the latest. :batch is a JSON array of {id, epoch, due_ms}; fenced
-- like the park (the lease epoch it parked under, still parked). The rows are found by primary key
-- (id = ANY of the batch's ids, read once), never by joining the batch to the table, whose plan
-- could scan it. The history is not written: the row's last event and lease epoch stay as they are.
UPDATE "${schema}".executions e
   SET run_at = least(e.run_at, now() + (SELECT i.due_ms FROM json_to_recordset(:batch::json)
                                              AS i(id bigint, epoch bigint, due_ms bigint)
                                         WHERE i.id = e.id) * interval '1 millisecond')
 WHERE e.id = ANY(ARRAY(SELECT i.id FROM json_to_recordset(:batch::json) AS i(id bigint)))
   AND e.lease_epoch = (SELECT i.epoch FROM json_to_recordset(:batch::json) AS i(id bigint, epoch bigint)
                         WHERE i.id = e.id)
   AND e.state = 'available'
   AND e.last_event = 'awaiting_signal';
