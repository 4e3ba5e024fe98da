-- Ends attempts that succeeded, fenced by (id, lease_epoch, running); a cancel requested meanwhile
-- wins. One statement, one round trip, one parameter: :batch is a JSON array of {id, epoch,
-- output, nodes}, nodes being the attempt's last node results, which a success keeps in
-- executions.nodes. The statement lives in the function complete_succeeded (see V002) so its
-- plan is pinned to a primary-key lookup per row of the batch.
SELECT id, state FROM "${schema}".complete_succeeded(:batch::json);
