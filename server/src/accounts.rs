//! Users, workspaces, memberships, device tokens and the server audit log: every query
//! the identity part of the server runs, written once for both engines.
//!
//! Invariants:
//! - Nothing here sees a password or a token: callers pass the argon2id PHC string and
//!   the token's SHA-256 ([`crate::credentials`]).
//! - Every change to a device token (issued, revoked, signed out) and every failed
//!   sign-in writes its `server_audit` row in the same transaction.
//! - Transactions start with their write, so that on SQLite a transaction never has to
//!   upgrade a read lock (which fails at once under a concurrent writer instead of
//!   waiting for the busy timeout).

use plumbline_wire::{Role, WorkspaceRole};

use crate::database::{on_pool, Database, DbId, DbTime};

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A query failed (the database went away, a constraint the caller should have
    /// checked).
    #[error("database error")]
    Sql(#[from] sqlx::Error),
    /// A stored value cannot be read back (a damaged database or a bug).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

/// A user, without the password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: DbId,
    pub email: String,
    pub name: String,
}

/// A device token's record (never the token).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Device {
    pub id: DbId,
    pub user_id: DbId,
    pub name: String,
    pub created_at: DbTime,
    pub last_used_at: Option<DbTime>,
    pub revoked_at: Option<DbTime>,
}

/// What `server_audit.action` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditAction {
    /// A device signed in and received a token.
    SignIn,
    /// A sign-in named an unknown e-mail or the wrong password (counted by the rate
    /// limit).
    SignInFailed,
    /// A device token was used (its first use, then at most once an hour).
    TokenUsed,
    /// A device signed out, revoking its own token.
    SignOut,
    /// An administrator revoked a device's token.
    Revoked,
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::TokenUsed => "token_used",
            AuditAction::SignOut => "sign_out",
            AuditAction::Revoked => "revoked",
        }
    }
}

/// One `server_audit` row to write.
#[derive(Clone, Copy, Debug)]
pub struct Audit<'a> {
    pub at: DbTime,
    pub user_id: Option<DbId>,
    pub device_id: Option<DbId>,
    pub email_key: Option<&'a str>,
    pub action: AuditAction,
    pub detail: &'a str,
    /// The caller's address, for sign-in attempts.
    pub source: Option<&'a str>,
}

/// What `set_membership` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipChange {
    Created,
    Updated { previous: Role },
    Unchanged,
}

const DEVICE_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, revoked_at";

/// Appends one audit row through `$executor` (a pool or `&mut *transaction`).
macro_rules! insert_audit {
    ($executor:expr, $entry:expr) => {{
        let entry: &Audit<'_> = $entry;
        sqlx::query(
            "INSERT INTO server_audit (at, user_id, device_id, email_key, action, detail, source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry.at)
        .bind(entry.user_id)
        .bind(entry.device_id)
        .bind(entry.email_key)
        .bind(entry.action.code())
        .bind(entry.detail)
        .bind(entry.source)
        .execute($executor)
        .await
        .map(|_| ())
    }};
}

impl Database {
    /// The user whose lower-cased e-mail is `email_key`, with their password hash.
    pub async fn user_by_email(
        &self,
        email_key: &str,
    ) -> Result<Option<(User, String)>, AccountError> {
        let row: Option<(DbId, String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, email, name, password_hash FROM users WHERE email_key = $1",
            )
            .bind(email_key)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(id, email, name, hash)| (User { id, email, name }, hash)))
    }

    /// Creates a user; the e-mail must not be taken (see [`Database::user_by_email`]).
    pub async fn create_user(
        &self,
        email: &str,
        email_key: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<User, AccountError> {
        let id = DbId::new();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO users (id, email, email_key, name, password_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(email)
            .bind(email_key)
            .bind(name)
            .bind(password_hash)
            .bind(DbTime::now())
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(User {
            id,
            email: email.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The workspace named `name`, created if missing; `true` when it was created.
    pub async fn ensure_workspace(&self, name: &str) -> Result<(DbId, bool), AccountError> {
        let created = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(DbId::new())
            .bind(name)
            .bind(DbTime::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected() == 1)
        })?;
        let (id,): (DbId,) = on_pool!(self, pool => {
            sqlx::query_as("SELECT id FROM workspaces WHERE name = $1")
                .bind(name)
                .fetch_one(pool)
                .await
        })?;
        Ok((id, created))
    }

    /// Makes `user` a member of `workspace` with `role`, limited to `tenants` (`None`:
    /// all of them), replacing an existing membership's role and tenants.
    pub async fn set_membership(
        &self,
        user: DbId,
        workspace: DbId,
        role: Role,
        tenants: Option<&[String]>,
    ) -> Result<MembershipChange, AccountError> {
        let tenants = tenants
            .map(serde_json::to_string)
            .transpose()
            .map_err(|error| AccountError::Corrupt(error.to_string()))?;
        let previous: Option<(String, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT role, tenants FROM memberships WHERE user_id = $1 AND workspace_id = $2",
            )
            .bind(user)
            .bind(workspace)
            .fetch_optional(pool)
            .await
        })?;
        let change = match previous {
            None => MembershipChange::Created,
            Some((previous, previous_tenants))
                if previous == role.code() && previous_tenants == tenants =>
            {
                return Ok(MembershipChange::Unchanged);
            }
            Some((previous, _)) => MembershipChange::Updated {
                previous: parse_role(&previous)?,
            },
        };
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO memberships (user_id, workspace_id, role, tenants, created_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id, workspace_id) \
                 DO UPDATE SET role = excluded.role, tenants = excluded.tenants",
            )
            .bind(user)
            .bind(workspace)
            .bind(role.code())
            .bind(tenants.as_deref())
            .bind(DbTime::now())
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(change)
    }

    /// The workspaces `user` belongs to, by name.
    pub async fn memberships(&self, user: DbId) -> Result<Vec<WorkspaceRole>, AccountError> {
        let rows: Vec<(DbId, String, String, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT w.id, w.name, m.role, m.tenants \
                 FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
                 WHERE m.user_id = $1 ORDER BY w.name",
            )
            .bind(user)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(id, name, role, tenants)| {
                let tenants = tenants
                    .map(|text| serde_json::from_str::<Vec<String>>(&text))
                    .transpose()
                    .map_err(|error| {
                        AccountError::Corrupt(format!("tenants of a membership in {name}: {error}"))
                    })?;
                Ok(WorkspaceRole {
                    id: id.to_string(),
                    name,
                    role: parse_role(&role)?,
                    tenants,
                })
            })
            .collect()
    }

    /// The times of the failed sign-ins after `since`, newest first, at most `limit` of
    /// them: those naming `email_key` from `source` (either may be left open: `None`).
    pub async fn failed_sign_ins(
        &self,
        email_key: Option<&str>,
        source: Option<&str>,
        since: DbTime,
        limit: i64,
    ) -> Result<Vec<DbTime>, AccountError> {
        // NULL matches everything: `($n IS NULL OR column = $n)`; an unknown source is
        // its own bucket.
        let rows: Vec<(DbTime,)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at FROM server_audit \
                 WHERE action = $1 AND at > $2 \
                   AND ($3 IS NULL OR email_key = $3) \
                   AND (($4 IS NULL AND source IS NULL) OR source = $4) \
                 ORDER BY at DESC LIMIT $5",
            )
            .bind(AuditAction::SignInFailed.code())
            .bind(since)
            .bind(email_key)
            .bind(source)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows.into_iter().map(|(at,)| at).collect())
    }

    /// Appends one audit row on its own.
    pub async fn audit(&self, entry: &Audit<'_>) -> Result<(), AccountError> {
        on_pool!(self, pool => insert_audit!(pool, entry))?;
        Ok(())
    }

    /// Issues a device token for `user`: stores its hash and audits the sign-in.
    pub async fn create_device(
        &self,
        user: DbId,
        name: &str,
        token_hash: &str,
        email_key: &str,
    ) -> Result<Device, AccountError> {
        let device = Device {
            id: DbId::new(),
            user_id: user,
            name: name.to_owned(),
            created_at: DbTime::now(),
            last_used_at: None,
            revoked_at: None,
        };
        let audit = Audit {
            at: device.created_at,
            user_id: Some(user),
            device_id: Some(device.id),
            email_key: Some(email_key),
            action: AuditAction::SignIn,
            detail: name,
            source: None,
        };
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(
                "INSERT INTO device_tokens (id, user_id, name, token_hash, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(device.id)
            .bind(user)
            .bind(name)
            .bind(token_hash)
            .bind(device.created_at)
            .execute(&mut *transaction)
            .await?;
            insert_audit!(&mut *transaction, &audit)?;
            transaction.commit().await
        })?;
        Ok(device)
    }

    /// The device whose token hashes to `token_hash`, and its user, revoked or not.
    pub async fn device_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Device, User)>, AccountError> {
        type Row = (
            DbId,
            DbId,
            String,
            DbTime,
            Option<DbTime>,
            Option<DbTime>,
            String,
            String,
        );
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT d.id, d.user_id, d.name, d.created_at, d.last_used_at, d.revoked_at, \
                        u.email, u.name \
                 FROM device_tokens d JOIN users u ON u.id = d.user_id \
                 WHERE d.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(
            |(id, user_id, name, created_at, last_used_at, revoked_at, email, user_name)| {
                let device = Device {
                    id,
                    user_id,
                    name,
                    created_at,
                    last_used_at,
                    revoked_at,
                };
                let user = User {
                    id: user_id,
                    email,
                    name: user_name,
                };
                (device, user)
            },
        ))
    }

    /// Records that `device` was used at `at` (and audits it when `audit` says so);
    /// `false` when the token was revoked in the meantime.
    pub async fn touch_device(
        &self,
        device: &Device,
        at: DbTime,
        audit: bool,
    ) -> Result<bool, AccountError> {
        let entry = Audit {
            at,
            user_id: Some(device.user_id),
            device_id: Some(device.id),
            email_key: None,
            action: AuditAction::TokenUsed,
            detail: &device.name,
            source: None,
        };
        let touched = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let touched = sqlx::query(
                "UPDATE device_tokens SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(device.id)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
                == 1;
            if touched && audit {
                insert_audit!(&mut *transaction, &entry)?;
            }
            transaction.commit().await.map(|()| touched)
        })?;
        Ok(touched)
    }

    /// Revokes the token of `device` because its holder signed out.
    pub async fn sign_out(&self, device: &Device) -> Result<(), AccountError> {
        let at = DbTime::now();
        let entry = Audit {
            at,
            user_id: Some(device.user_id),
            device_id: Some(device.id),
            email_key: None,
            action: AuditAction::SignOut,
            detail: &device.name,
            source: None,
        };
        on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            sqlx::query(
                "UPDATE device_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(device.id)
            .execute(&mut *transaction)
            .await?;
            insert_audit!(&mut *transaction, &entry)?;
            transaction.commit().await
        })?;
        Ok(())
    }

    /// Every device `user` has signed in from, oldest first.
    pub async fn devices(&self, user: DbId) -> Result<Vec<Device>, AccountError> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM device_tokens WHERE user_id = $1 ORDER BY created_at, id"
        );
        let devices = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(user).fetch_all(pool).await
        })?;
        Ok(devices)
    }

    /// Revokes `user`'s active tokens (only those of devices named `name`, when given)
    /// and audits each with `detail`; returns the devices revoked.
    pub async fn revoke_devices(
        &self,
        user: DbId,
        name: Option<&str>,
        detail: &str,
    ) -> Result<Vec<Device>, AccountError> {
        let at = DbTime::now();
        let sql = format!(
            "UPDATE device_tokens SET revoked_at = $1 \
             WHERE user_id = $2 AND revoked_at IS NULL AND ($3 IS NULL OR name = $3) \
             RETURNING {DEVICE_COLUMNS}"
        );
        let mut revoked: Vec<Device> = on_pool!(self, pool => {
            let mut transaction = pool.begin().await?;
            let revoked: Vec<Device> = sqlx::query_as(&sql)
                .bind(at)
                .bind(user)
                .bind(name)
                .fetch_all(&mut *transaction)
                .await?;
            for device in &revoked {
                let entry = Audit {
                    at,
                    user_id: Some(user),
                    device_id: Some(device.id),
                    email_key: None,
                    action: AuditAction::Revoked,
                    detail,
            source: None,
        };
                insert_audit!(&mut *transaction, &entry)?;
            }
            transaction.commit().await.map(|()| revoked)
        })?;
        revoked.sort_by_key(|device| (device.created_at, device.id.0));
        Ok(revoked)
    }
}

fn parse_role(code: &str) -> Result<Role, AccountError> {
    Role::parse(code).ok_or_else(|| AccountError::Corrupt(format!("unknown role {code:?}")))
}
