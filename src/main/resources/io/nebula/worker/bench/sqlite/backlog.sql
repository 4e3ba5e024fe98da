-- Whether any execution is still available or running. The partial indexes executions_claim and
-- executions_lease cover exactly these rows, so this stays cheap while the benchmark polls it.
SELECT EXISTS (SELECT 1 FROM executions WHERE state = 'available')
    OR EXISTS (SELECT 1 FROM executions WHERE state = 'running') AS open
