-- The server version and the settings that decide what a commit costs, for the report's machine
-- description.
SELECT current_setting('server_version') AS version,
       current_setting('synchronous_commit') AS synchronous_commit,
       current_setting('fsync') AS fsync,
       current_setting('shared_buffers') AS shared_buffers,
       current_setting('max_connections') AS max_connections
