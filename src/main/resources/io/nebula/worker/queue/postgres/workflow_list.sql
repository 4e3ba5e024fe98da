-- Stored definitions by name, then hash, after a key (index workflows_name); keyset paging.
SELECT name, hash, created_at
  FROM "${schema}".workflows
 WHERE (name, hash) > (:after_name, :after_hash)
 ORDER BY name, hash
 LIMIT :limit;
