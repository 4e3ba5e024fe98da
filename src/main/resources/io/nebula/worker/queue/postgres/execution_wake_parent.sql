-- Makes the wake-up a child's end passed on because the parent's row was held (migration 13): waits
-- up to 200 ms for the row, then makes a parent parked for its children due, or marks the epoch
-- whose wait for children ends at once. True when done or nothing was left to change; null when the
-- row was still held.
SELECT "${schema}".wake_parent_after_hold(:id) AS looked;
