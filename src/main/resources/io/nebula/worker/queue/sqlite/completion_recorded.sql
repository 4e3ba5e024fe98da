-- The completions already recorded for these leases (:rows is a JSON array of [id, epoch]): the
-- history events a holder wrote when it ended its attempt (not claims, rescues or quarantines,
-- nor a cancel the rescuer applied). Read when a completion matched no running row, in case an
-- earlier try of it took effect. Uses execution_history_execution.
SELECT h.execution_id AS id, h.lease_epoch AS epoch, h.event, h.to_state AS state
  FROM json_each(:rows) r
  JOIN execution_history h ON h.execution_id = r.value ->> 0 AND h.lease_epoch = r.value ->> 1
 WHERE h.from_state = 'running' AND h.to_state <> 'running'
   AND h.event NOT IN ('claimed', 'rescued', 'quarantined')
   AND coalesce(h.detail, '') NOT LIKE 'lease expired at %';
