-- How long people waited for a sergeant: seconds from request to accept, per day (p50, p90, max).
WITH waits AS (
  SELECT r."date",
         date_diff('millisecond', from_iso8601_timestamp(r.at), from_iso8601_timestamp(a.at)) / 1000.0 AS seconds
  FROM safe_connection_audit.events r
  JOIN safe_connection_audit.events a
    ON a.verification_id = r.verification_id AND a.force = r.force AND a."date" = r."date"
  WHERE r.force = 'met' AND a.force = 'met'
    AND r."date" BETWEEN '2026-11-01' AND '2026-11-30'
    AND r.type = 'verification.requested'
    AND a.type = 'verification.accepted'
)
SELECT "date",
       count(*)                          AS accepted,
       approx_percentile(seconds, 0.5)   AS p50_seconds,
       approx_percentile(seconds, 0.9)   AS p90_seconds,
       max(seconds)                      AS max_seconds
FROM waits
GROUP BY "date"
ORDER BY "date";
