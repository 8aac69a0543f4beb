-- Presence across nodes, as SQLite's 0020: the node that recorded a user
-- ONLINE, and each node's last sign of life.
ALTER TABLE users ADD COLUMN online_node TEXT NOT NULL DEFAULT '';
CREATE INDEX users_online_node ON users (online_node) WHERE online = 1;
CREATE TABLE nodes (
    name    TEXT   PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
