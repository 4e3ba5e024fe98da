-- Before a manual retry: forget failed nodes (all nodes when :all) so they run again.
DELETE FROM node_results WHERE execution_id = :id AND (:all OR status <> 'succeeded');
