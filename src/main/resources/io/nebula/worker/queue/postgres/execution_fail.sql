-- Ends failed attempts, fenced by (id, lease_epoch, running). A retryable error with attempts left
-- goes back to available after its delay (keeping checkpoints); otherwise the execution fails,
-- and a retryable error that ran out of attempts says so. A pending cancel wins over both.
-- One statement: the node results ride along, so an attempt ends in a single round trip. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). The statement lives in the function
-- fail_attempts (see V002) so its fence is pinned to a primary-key lookup per row of the batch.
SELECT id, state FROM "${schema}".fail_attempts(:batch::json);
