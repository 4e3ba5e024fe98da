-- Makes one definition the latest deployed version of its name: stores it if new (hash primary
-- key) and stamps it later than every other deployment of that name (workflows_deployed), so the
-- order of deployments is strict even within one clock tick.
INSERT INTO "${schema}".workflows (hash, name, definition, deployed_at)
VALUES (:hash, :name, :definition,
        greatest(now(), (SELECT max(deployed_at) + interval '1 microsecond' FROM "${schema}".workflows
                          WHERE name = :name AND deployed_at IS NOT NULL)))
ON CONFLICT (hash) DO UPDATE SET deployed_at = EXCLUDED.deployed_at
RETURNING hash, name, created_at, deployed_at;
