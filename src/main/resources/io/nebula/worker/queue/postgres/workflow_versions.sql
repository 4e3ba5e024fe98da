-- Every stored version of one workflow name: deployed ones newest deployment first, then those
-- only ever submitted as files, newest first. A scan of the definitions of one name.
SELECT hash, name, created_at, deployed_at FROM "${schema}".workflows
 WHERE name = :name
 ORDER BY deployed_at DESC NULLS LAST, created_at DESC, hash;
