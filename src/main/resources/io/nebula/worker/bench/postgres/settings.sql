-- The server version and the settings that decide what the queue's statements cost, for the
-- report's machine description: commit and WAL cost (synchronous_commit, fsync, wal_level,
-- full_page_writes, max_wal_size, checkpoint_timeout), dead-row clean-up (autovacuum), planning
-- and execution (jit, shared_buffers, work_mem), and connection limits.
SELECT current_setting('server_version') AS version,
       current_setting('autovacuum') AS autovacuum,
       current_setting('jit') AS jit,
       current_setting('synchronous_commit') AS synchronous_commit,
       current_setting('fsync') AS fsync,
       current_setting('wal_level') AS wal_level,
       current_setting('full_page_writes') AS full_page_writes,
       current_setting('max_wal_size') AS max_wal_size,
       current_setting('checkpoint_timeout') AS checkpoint_timeout,
       current_setting('shared_buffers') AS shared_buffers,
       current_setting('work_mem') AS work_mem,
       current_setting('huge_pages') AS huge_pages,
       current_setting('max_connections') AS max_connections
