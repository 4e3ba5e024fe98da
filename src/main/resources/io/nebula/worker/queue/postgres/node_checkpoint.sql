-- Writes node results fenced by their execution's lease and returns the executions whose lease
-- held. :batch is a JSON array of {id, epoch, nodes}. The statement lives in the function
-- checkpoint_nodes (see V002) so its plan is pinned to a primary-key lookup per execution.
SELECT id FROM "${schema}".checkpoint_nodes(:batch::json);
