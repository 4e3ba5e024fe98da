-- One line per workflow name: how many versions are stored, and the current one (the latest
-- deployed, else the newest stored). Reads the definitions table, which is small.
SELECT name, versions, hash, created_at, deployed_at FROM (
    SELECT name, hash, created_at, deployed_at,
           count(*) OVER (PARTITION BY name) AS versions,
           row_number() OVER (PARTITION BY name
                              ORDER BY deployed_at DESC NULLS LAST, created_at DESC, hash) AS rn
      FROM "${schema}".workflows) w
 WHERE rn = 1
 ORDER BY name;
