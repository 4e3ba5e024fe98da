-- Wakes idle claimers of these queues. Sent inside the submitting transaction, so PostgreSQL
-- delivers it only after commit, and identical notifications in one transaction are coalesced.
SELECT pg_notify(:channel, q) FROM unnest(:queues::text[]) AS q;
