-- Completes one claimed batch in one statement, fenced only by the loop's name.
UPDATE baseline_jobs
   SET state = 2, finished_at = now(), result = '{"ok":true}', locked_until = NULL
 WHERE id = ANY(?) AND locked_by = ?
