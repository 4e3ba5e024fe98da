-- Takes the named lease when it is free or expired, or renews it for its holder (database clock).
-- Returns a row only when :holder holds it afterwards.
INSERT INTO leader (name, holder, elected_at, expires_at)
VALUES (:name, :holder, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER) + :ttl_ms)
ON CONFLICT (name) DO UPDATE
   SET holder = excluded.holder,
       expires_at = excluded.expires_at,
       elected_at = CASE WHEN leader.holder = excluded.holder THEN leader.elected_at ELSE CAST(unixepoch('subsec') * 1000 AS INTEGER) END
 WHERE leader.holder = excluded.holder OR leader.expires_at < CAST(unixepoch('subsec') * 1000 AS INTEGER)
RETURNING holder;
