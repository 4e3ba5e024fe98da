-- The latest deployed version of a workflow name (workflows_deployed, newest first).
SELECT hash, name, definition FROM "${schema}".workflows
 WHERE name = :name AND deployed_at IS NOT NULL
 ORDER BY deployed_at DESC
 LIMIT 1;
