-- Before a manual retry: forget skipped nodes, so their conditions are looked at again (all nodes
-- when :all, a retry from scratch). A failed node's row stays, with its tries: the next attempt runs
-- the node again whatever its row says, and its result then replaces the row while the tries from
-- before the retry are kept.
DELETE FROM node_results WHERE execution_id = :id AND (:all OR status = 'skipped');
