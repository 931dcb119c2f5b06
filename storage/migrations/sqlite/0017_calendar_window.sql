-- The 公示 window as the office sets it (#13). An edition's holiday
-- calendar: days off (法定节假日, kind 'off') and adjusted working days
-- (调休, weekend days that are working days, kind 'work'), as dates
-- (YYYY-MM-DD) in LEITAI_TIMEZONE. A publication's window now has a start
-- (objection_from) as well as an end; rounds published before this keep
-- their publication time as the start.
CREATE TABLE edition_calendar_days (
    edition_id INTEGER NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    PRIMARY KEY (edition_id, day)
);

ALTER TABLE round_publications ADD COLUMN objection_from DATETIME;
UPDATE round_publications SET objection_from = published_at;
