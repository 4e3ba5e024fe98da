-- V006: the installation: a random id, made once per store, that makes the idempotency keys this
-- store's executions send to other systems unique across stores (a reset database, a staging copy
-- and a second installation each get their own). Applied by Migrator inside BEGIN IMMEDIATE.

-- keys_from: executions with a smaller id were submitted before this migration and keep the keys
-- they were sent with before it (<execution id>:<node id>), so a node retried after the upgrade
-- sends the same key as before it. executions is AUTOINCREMENT, so no later execution gets an id
-- at or below the highest ever given (sqlite_sequence), and the write lock holds off submits.
CREATE TABLE installation (
    singleton   INTEGER PRIMARY KEY DEFAULT 1 CHECK (singleton = 1),
    id          TEXT NOT NULL,
    keys_from   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
-- A version 4 UUID from 122 random bits, written as PostgreSQL's gen_random_uuid() writes it.
INSERT INTO installation (id, keys_from, created_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
             || substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2) || '-'
             || hex(randomblob(6))),
       coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'executions'), 0) + 1,
       CAST(unixepoch('subsec') * 1000 AS INTEGER);
