-- A cheap round trip that proves the listener's socket is still alive.
SELECT 1;
