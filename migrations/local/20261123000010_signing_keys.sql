-- The workspace's Ed25519 signing keys for evidence packs: the public half only. The
-- private key lives in the OS keychain under `keychain_account` and never in this file.
CREATE TABLE signing_keys (
    -- SHA-256 (hex) of the public key's SubjectPublicKeyInfo DER, as
    -- `openssl pkey -pubin -in signer.pub -outform DER | sha256sum` prints it.
    fingerprint       TEXT PRIMARY KEY NOT NULL,
    workspace_id      TEXT NOT NULL REFERENCES workspaces(id),
    -- The raw 32-byte public key, hex.
    public_key        TEXT NOT NULL,
    keychain_account  TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    retired_at        TEXT
) STRICT;
-- One key signs at a time; retired keys stay listed so their packs can be recognised.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (workspace_id) WHERE retired_at IS NULL;

CREATE INDEX evidence_packs_by_tenant ON evidence_packs (tenant_id, created_at);
