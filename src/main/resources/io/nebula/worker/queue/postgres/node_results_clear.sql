-- Before a manual retry: forget skipped nodes, so their conditions are looked at again (all nodes
-- when :all, a retry from scratch). A failed node's row stays, with its tries: the next attempt runs
-- the node again whatever its row says, and its result then replaces the row while the tries from
-- before the retry are kept. Levels hold succeeded nodes only, so they go only with all of them.
WITH levels AS (
    DELETE FROM "${schema}".node_levels WHERE execution_id = :id AND :all
)
DELETE FROM "${schema}".node_results WHERE execution_id = :id AND (:all OR status = 'skipped');
