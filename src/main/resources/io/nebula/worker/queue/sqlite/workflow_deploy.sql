-- Makes one definition the latest deployed version of its name: stores it if new (hash primary
-- key) and stamps it later than every other deployment of that name (workflows_deployed), so the
-- order of deployments is strict even within one clock tick.
INSERT INTO workflows (hash, name, definition, deployed_at)
VALUES (:hash, :name, :definition,
        max(CAST(unixepoch('subsec') * 1000 AS INTEGER),
            coalesce((SELECT max(deployed_at) + 1 FROM workflows
                       WHERE name = :name AND deployed_at IS NOT NULL), 0)))
ON CONFLICT (hash) DO UPDATE SET deployed_at = excluded.deployed_at
RETURNING hash, name, created_at, deployed_at;
