-- auto_reply_zone() becomes platform_zone() (db/sql/platform_zone.sql):
-- order numbers take their day in the platform time zone too, not only the
-- auto-replies' business hours. Its callers' new texts are in db/sql and
-- are applied in the same transaction, after this.
DROP FUNCTION auto_reply_zone();
DELETE FROM schema_functions WHERE name = 'auto_reply_zone.sql';
