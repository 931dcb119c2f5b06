-- The live boards' event log: one row per topic holding its epoch and the
-- last offset (assigned under that row's lock, so offsets commit in order),
-- and the events themselves, kept for at least 300 events or 10 minutes.
CREATE TABLE live_topics (
    topic TEXT PRIMARY KEY,
    epoch TEXT   NOT NULL,
    head  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE live_events (
    topic     TEXT        NOT NULL,
    offset_no INTEGER      NOT NULL,
    payload   TEXT        NOT NULL,
    at        DATETIME NOT NULL,
    PRIMARY KEY (topic, offset_no)
);
