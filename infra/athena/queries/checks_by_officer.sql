-- All checks started by one officer (newest first), with how each ended.
-- Parameters: force, officer_id, and a date range to keep the scan small.
SELECT r.verification_id,
       r.at                                   AS requested_at,
       r.data.reference                       AS reference,
       max_by(e.type, e.seq)                  AS last_event,
       max_by(e.at, e.seq)                    AS last_event_at,
       -- How it was decided (video, audio, radio) and by which role; null when nobody decided.
       max_by(e.data.method, e.seq) FILTER (WHERE e.type IN ('verification.confirmed', 'verification.not_confirmed'))
                                              AS method,
       max_by(e.actor.role, e.seq) FILTER (WHERE e.type IN ('verification.confirmed', 'verification.not_confirmed'))
                                              AS decided_by_role
FROM safe_connection_audit.events r
JOIN safe_connection_audit.events e
  ON e.verification_id = r.verification_id AND e.force = r.force AND e."date" = r."date"
WHERE r.force = 'met'
  AND r."date" BETWEEN '2026-11-01' AND '2026-11-30'
  AND r.type = 'verification.requested'
  AND r.data.officer_id = 'MP4721'
  AND e.type IN ('verification.requested', 'verification.accepted', 'verification.confirmed',
                 'verification.not_confirmed', 'verification.cancelled', 'verification.unanswered',
                 'verification.expired')
GROUP BY r.verification_id, r.at, r.data.reference
ORDER BY requested_at DESC;
