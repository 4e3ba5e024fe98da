-- The library version, for the report's machine description.
SELECT sqlite_version() AS version
