-- Checks that no sergeant answered in time, per day of creation, next to all checks that day.
SELECT "date",
       count_if(type = 'verification.unanswered') AS unanswered,
       count_if(type = 'verification.requested')  AS started
FROM safe_connection_audit.events
WHERE force = 'met'
  AND "date" BETWEEN '2026-11-01' AND '2026-11-30'
  AND type IN ('verification.unanswered', 'verification.requested')
GROUP BY "date"
ORDER BY "date";
