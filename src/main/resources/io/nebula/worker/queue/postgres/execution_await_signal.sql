-- Parks executions whose workflow waits for signals, fenced by (id, lease_epoch, running): back to
-- available without spending the attempt, checkpoints kept, a pending cancel wins; their waits are
-- stored, and each is due at once when an awaited signal already arrived, else at its earliest
-- timeout, else never. :batch is a JSON array of {id, epoch, reason, waits: [{name, node_id,
-- timeout_ms}], nodes} (see BatchJson). The statements live in the function park_for_signals (see
-- V004) so their fences are pinned to primary-key lookups.
SELECT id, state FROM "${schema}".park_for_signals(:batch::json);
