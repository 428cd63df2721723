-- Safe Connection audit log as an Athena table (Glue Data Catalog), one row per audit event.
-- Replace ${AUDIT_BUCKET} (the CDK stack substitutes it). Partition projection means no crawler
-- and no MSCK REPAIR: partitions are computed from the key layout of SPEC §5,
--   audit/force={force}/date={YYYY-MM-DD of the verification's creation}/{verification_id}/{seq:06d}.json
-- `force` is injected: every query must say which force (WHERE force = 'met').
-- Personal data (location, area, note) is sealed ciphertext in `data`; use the CLI to read it.
CREATE EXTERNAL TABLE IF NOT EXISTS safe_connection_audit.events (
  event_id        string,
  verification_id string,
  seq             int,
  type            string,
  at              string,
  actor           struct<role:string, officer_id:string>,
  data            struct<
                    officer_id:string,
                    reference:string,
                    meeting_id:string,
                    voice_fallback:boolean,
                    wave:int,
                    recipients:array<string>,
                    failed:array<string>,
                    sergeant_id:string,
                    disclosed_to:string,
                    reason:string,
                    alert_type:string,
                    method:string,
                    registry_status:string,
                    changed_fields:array<string>,
                    location:struct<sealed:string, ciphertext:string>,
                    area:struct<sealed:string, ciphertext:string>,
                    note:struct<sealed:string, ciphertext:string>
                  >,
  prev_hash       string,
  hash            string
)
PARTITIONED BY (force string, `date` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false')
LOCATION 's3://${AUDIT_BUCKET}/audit/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.force.type' = 'injected',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2026-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://${AUDIT_BUCKET}/audit/force=${force}/date=${date}/'
);
