-- The highest execution id queued so far; the executions queued after this read have higher ones.
SELECT coalesce(max(id), 0) AS last_id
  FROM executions
