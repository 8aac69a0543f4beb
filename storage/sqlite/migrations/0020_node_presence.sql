-- Presence across nodes. users.online_node: the node (-node) that recorded
-- the user ONLINE, so that a node that died with users online can be told
-- from one that lives. nodes: each node's last sign of life, written every
-- few seconds; users online on a node silent for long are marked offline by
-- the others (handlers.SweepStranded).
ALTER TABLE users ADD COLUMN online_node TEXT NOT NULL DEFAULT '';
CREATE INDEX users_online_node ON users (online_node) WHERE online = 1;
CREATE TABLE nodes (
    name    TEXT    PRIMARY KEY,
    seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
