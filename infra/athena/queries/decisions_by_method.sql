-- How checks were decided, per day: by a sergeant on a video or an audio-only call, or by the
-- control room by radio (SPEC §7.3), and how many of each were confirmed. A rise in audio or radio
-- shows where video fails (coverage, devices); `actor.role` tells the control room apart.
SELECT "date",
       data.method                                  AS method,
       actor.role                                   AS decided_by_role,
       count_if(type = 'verification.confirmed')     AS confirmed,
       count_if(type = 'verification.not_confirmed') AS not_confirmed
FROM safe_connection_audit.events
WHERE force = 'met'
  AND "date" BETWEEN '2026-11-01' AND '2026-11-30'
  AND type IN ('verification.confirmed', 'verification.not_confirmed')
GROUP BY "date", data.method, actor.role
ORDER BY "date", method;
