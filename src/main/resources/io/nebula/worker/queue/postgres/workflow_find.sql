-- Stored versions of a workflow name whose hash starts with :prefix (at most two, enough to tell
-- a unique prefix from an ambiguous one). The workflows table holds definitions, not executions,
-- so scanning the versions of one name is cheap.
SELECT hash, name, definition FROM "${schema}".workflows
 WHERE name = :name AND left(hash, length(:prefix)) = :prefix
 ORDER BY hash
 LIMIT 2;
