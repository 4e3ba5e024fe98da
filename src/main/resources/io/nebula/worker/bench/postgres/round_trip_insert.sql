-- One round trip of the latency scenario's yardstick: a one-row insert, committed by autocommit.
INSERT INTO bench_round_trip DEFAULT VALUES
