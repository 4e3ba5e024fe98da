-- V006: the installation: a random id, made once per store, that makes the idempotency keys this
-- store's executions send to other systems unique across stores (a reset database, a staging copy
-- and a second installation each get their own). Applied by Migrator under pg_advisory_xact_lock.

-- keys_from: executions with a smaller id were submitted before this migration and keep the keys
-- they were sent with before it (<execution id>:<node id>), so a node retried after the upgrade
-- sends the same key as before it. nextval hands out a value no earlier execution can have.
CREATE TABLE installation (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id          text NOT NULL,
    keys_from   bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation (id, keys_from) VALUES (gen_random_uuid()::text, nextval('executions_id_seq'));
