-- What an operator would write to rate a day's FusionPBX CDR export in SQL, the baseline of
-- tests/bench/cdr_import.sh: the rate card keyed by prefix, the longest of the dialled number's
-- first one to eight digits found with an indexed IN list, and each call stored under a unique
-- call id so a re-imported file is skipped. Expects the export in table `export` and the rate
-- card in table `card` (both loaded by the sqlite3 shell's .import --csv).
CREATE TABLE IF NOT EXISTS rates (prefix TEXT PRIMARY KEY, per_minute TEXT NOT NULL, connect_fee TEXT NOT NULL) WITHOUT ROWID;
INSERT OR REPLACE INTO rates SELECT Prefix, RateValue, ConnectFee FROM card;
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    call_id TEXT NOT NULL UNIQUE,
    direction TEXT NOT NULL, caller TEXT NOT NULL, destination TEXT NOT NULL, start_at TEXT NOT NULL,
    answer_at TEXT, end_at TEXT NOT NULL, billsec INTEGER NOT NULL, hangup_cause TEXT NOT NULL,
    number TEXT, prefix TEXT, per_minute TEXT, cost REAL);
CREATE INDEX IF NOT EXISTS calls_start ON calls (start_at);
WITH normalized AS (
    SELECT *, CASE WHEN direction <> 'outbound' OR answer_stamp = '' THEN NULL
                   WHEN destination_number LIKE '011%' THEN substr(destination_number, 4)
                   WHEN destination_number LIKE '+%' THEN substr(destination_number, 2)
                   WHEN length(destination_number) = 10 THEN '1' || destination_number
                   ELSE destination_number END AS number
    FROM export),
matched AS (
    SELECT n.*, (SELECT prefix FROM rates WHERE prefix IN (substr(number, 1, 1), substr(number, 1, 2), substr(number, 1, 3),
                     substr(number, 1, 4), substr(number, 1, 5), substr(number, 1, 6), substr(number, 1, 7), substr(number, 1, 8))
                 ORDER BY length(prefix) DESC LIMIT 1) AS prefix
    FROM normalized n)
INSERT INTO calls (call_id, direction, caller, destination, start_at, answer_at, end_at, billsec, hangup_cause, number, prefix,
                   per_minute, cost)
SELECT m.xml_cdr_uuid, m.direction, m.caller_id_number, m.destination_number, m.start_stamp, nullif(m.answer_stamp, ''),
       m.end_stamp, m.billsec, m.hangup_cause, m.number, m.prefix, r.per_minute,
       round(r.connect_fee + r.per_minute * (m.billsec + 59) / 60, 4)
FROM matched m LEFT JOIN rates r ON r.prefix = m.prefix
WHERE true
ON CONFLICT (call_id) DO NOTHING;
