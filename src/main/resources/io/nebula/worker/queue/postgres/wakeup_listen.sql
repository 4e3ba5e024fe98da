-- Subscribes the dedicated listener connection to the wake-up channel.
LISTEN "${channel}";
