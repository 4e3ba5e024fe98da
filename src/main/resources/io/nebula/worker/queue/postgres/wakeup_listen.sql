-- Subscribes the dedicated listener connection to the wake-up channel, and to the channel on which
-- a child's end passes on a parent's wake-up it could not make (the parent's row was held).
LISTEN "${channel}";
LISTEN "${parent_channel}";
