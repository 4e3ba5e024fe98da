-- The completions already recorded for these leases, each sent with the statement that writes it
-- (:statements). Read when a completion matched no running row: if the connection broke while it
-- was committing and it was sent again, its first try may have taken effect. The table m says
-- which history events each statement records: a holder's own end of its attempt, or a cancel
-- that won over it (not claims, rescues or quarantines, nor a cancel the rescuer applied, whose
-- note holds 'lease expired at <time> held by <worker>' at its start or after the cancel's reason and
-- '; '). Uses execution_history_execution.
SELECT h.execution_id AS id, h.to_state AS state
  FROM unnest(:ids::bigint[], :epochs::bigint[], :statements::text[]) AS l(id, epoch, statement)
  JOIN "${schema}".execution_history h ON h.execution_id = l.id AND h.lease_epoch = l.epoch
  JOIN (VALUES ('execution_succeed', 'succeeded'),
               ('execution_succeed', 'cancelled'),
               ('execution_fail', 'failed'),
               ('execution_fail', 'retry_scheduled'),
               ('execution_fail', 'cancelled'),
               ('execution_release', 'released'),
               ('execution_release', 'waiting'),
               ('execution_release', 'cancelled'),
               ('execution_await_signal', 'awaiting_signal'),
               ('execution_await_signal', 'cancelled'),
               ('execution_cancel_ack', 'cancelled')) AS m(statement, event)
    ON m.statement = l.statement AND m.event = h.event
 WHERE h.from_state = 'running' AND h.to_state <> 'running'
   AND coalesce(h.detail, '') !~ '(^|; )lease expired at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z held by ';
