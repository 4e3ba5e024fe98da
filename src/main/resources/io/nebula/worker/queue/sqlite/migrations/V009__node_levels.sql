-- V009: nothing changes in SQLite.
--
-- PostgreSQL's V009 keeps a first-time attempt's checkpoint of succeeded nodes as one node_levels
-- row. SQLite keeps a row per node result: its node_checkpoint ignores the batch's "level" mark.
-- The version exists so both dialects list the same migrations.
SELECT 1;
