-- The completions already recorded for these leases: the history events a holder wrote when it
-- ended its attempt (not claims, rescues or quarantines, nor a cancel the rescuer applied, which
-- carries its 'lease expired at' note). Read when a completion matched no running row: if the
-- connection broke while it was committing and it was sent again, its first try may have taken
-- effect. Uses execution_history_execution.
SELECT h.execution_id AS id, h.lease_epoch AS epoch, h.event, h.to_state AS state
  FROM unnest(:ids::bigint[], :epochs::bigint[]) AS l(id, epoch)
  JOIN "${schema}".execution_history h ON h.execution_id = l.id AND h.lease_epoch = l.epoch
 WHERE h.from_state = 'running' AND h.to_state <> 'running'
   AND h.event NOT IN ('claimed', 'rescued', 'quarantined')
   AND coalesce(h.detail, '') NOT LIKE 'lease expired at %';
