-- Static pages served by InfoPage (terms, privacy, about...), set by the
-- operator with tools/infopage. Times are Unix seconds.
CREATE TABLE info_pages (
    id         TEXT    PRIMARY KEY,  -- what clients ask for; at most 64 characters (the spec's rule)
    body       TEXT    NOT NULL,     -- sent as is; its size is capped by the tool
    updated_at INTEGER NOT NULL
) STRICT;
