-- Blobs kept as devices send them (SYNC.md): most arrive as one zstd frame, checked by
-- decoding it, and are served as they are, never decoded and compressed again per
-- request. Blobs stored before this keep their bytes as they are (`none`). `size` stays
-- the decoded length. SQLite dialect; postgres/0004_blob_codec.sql is the same schema.
ALTER TABLE sync_blobs
    ADD COLUMN codec TEXT NOT NULL DEFAULT 'none' CHECK (codec IN ('none', 'zstd'));
