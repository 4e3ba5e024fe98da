-- The server processes whose CPU a run is charged with: the client backends of the run's own
-- connections (by application name prefix) and the server's background writers, whose work
-- (WAL, dirty pages) the run's commits cause. Other clients' backends are left out, so a busy
-- shared server does not inflate the figure.
SELECT pid FROM pg_stat_activity
 WHERE application_name LIKE ? || '%'
    OR backend_type IN ('walwriter', 'checkpointer', 'background writer')
