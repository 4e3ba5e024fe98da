-- Before a manual retry: forget failed nodes (all nodes when :all) so they run again. Levels hold
-- succeeded nodes only, so they go only with all of them.
WITH levels AS (
    DELETE FROM "${schema}".node_levels WHERE execution_id = :id AND :all
)
DELETE FROM "${schema}".node_results WHERE execution_id = :id AND (:all OR status <> 'succeeded');
