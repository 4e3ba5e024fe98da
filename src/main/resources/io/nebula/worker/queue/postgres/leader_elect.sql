-- Takes the named lease when it is free or expired, or renews it for its holder (database clock).
-- Returns a row only when :holder holds it afterwards.
INSERT INTO "${schema}".leader (name, holder, elected_at, expires_at)
VALUES (:name, :holder, now(), now() + :ttl_ms * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
   SET holder = EXCLUDED.holder,
       expires_at = EXCLUDED.expires_at,
       elected_at = CASE WHEN leader.holder = EXCLUDED.holder THEN leader.elected_at ELSE now() END
 WHERE leader.holder = EXCLUDED.holder OR leader.expires_at < now()
RETURNING holder;
