-- Records one applied migration, in the same transaction as the migration itself.
INSERT INTO "${schema}".schema_migrations (version, name) VALUES (:version, :name);
