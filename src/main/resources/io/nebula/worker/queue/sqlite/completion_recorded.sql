-- The completions already recorded for these leases (:rows is a JSON array of [id, epoch,
-- statement], the statement being the one that writes the completion). Read when a completion
-- matched no running row, in case an earlier try of it took effect. The table m says which
-- history events each statement records: a holder's own end of its attempt, or a cancel that won
-- over it (not claims, rescues or quarantines, nor a cancel the rescuer applied, whose note holds
-- 'lease expired at <time> held by <worker>' at its start or after the cancel's reason and '; '). Uses
-- execution_history_execution.
SELECT h.execution_id AS id, h.to_state AS state
  FROM json_each(:rows) r
  JOIN execution_history h ON h.execution_id = r.value ->> 0 AND h.lease_epoch = r.value ->> 1
  JOIN (SELECT 'execution_succeed' AS statement, 'succeeded' AS event
        UNION ALL SELECT 'execution_succeed', 'cancelled'
        UNION ALL SELECT 'execution_fail', 'failed'
        UNION ALL SELECT 'execution_fail', 'retry_scheduled'
        UNION ALL SELECT 'execution_fail', 'cancelled'
        UNION ALL SELECT 'execution_release', 'released'
        UNION ALL SELECT 'execution_release', 'waiting'
        UNION ALL SELECT 'execution_release', 'cancelled'
        UNION ALL SELECT 'execution_await_signal', 'awaiting_signal'
        UNION ALL SELECT 'execution_await_signal', 'cancelled'
        UNION ALL SELECT 'execution_cancel_ack', 'cancelled') AS m
    ON m.statement = r.value ->> 2 AND m.event = h.event
 WHERE h.from_state = 'running' AND h.to_state <> 'running'
   AND NOT coalesce(h.detail GLOB 'lease expired at [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z held by *'
                    OR h.detail GLOB '*; lease expired at [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z held by *', 0);
