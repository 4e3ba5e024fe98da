-- Hands executions back without spending the attempt (graceful shutdown, or a durable wait with a
-- delay), fenced by (id, lease_epoch, running). Checkpoints are kept; a pending cancel wins. A
-- release without delay keeps run_at, so another worker picks the execution up ahead of the
-- backlog that arrived after it, while its wait counts from now (requeued_at); a durable wait is
-- due when its delay ends, unless it waits for children only ("children": true) and a child ended
-- while the attempt ran (see V011).
-- One statement: the node results ride along, so an attempt ends in a single round trip. :batch
-- is a JSON array of {id, epoch, ..., nodes} (see BatchJson). The statement lives in the function
-- release_attempts (see V002, V010, V011) so its fence is pinned to a primary-key lookup per row of the batch.
SELECT id, state FROM "${schema}".release_attempts(:batch::json);
