-- The holder stopped after seeing a cancel request: the execution ends cancelled. Fenced by
-- (id, lease_epoch, running).
-- One statement: the node results ride along, so an attempt ends in a single round trip. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). The statement lives in the function
-- cancel_attempts (see V002) so its fence is pinned to a primary-key lookup per row of the batch.
SELECT id, state FROM "${schema}".cancel_attempts(:batch::json);
