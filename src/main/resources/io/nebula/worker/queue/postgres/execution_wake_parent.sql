-- Makes the wake-up a child's end passed on because the parent's row was held (migration 13): waits
-- for the row (at most 5 s), then makes a parent parked for its children due, or marks the epoch
-- whose wait for children ends at once. True when the row was looked at.
SELECT "${schema}".wake_parent_after_hold(:id) AS looked;
