-- The latency scenario's round-trip yardstick: a table of one-row inserts, each committed alone.
CREATE TABLE bench_round_trip (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())
