//! What an administrator does on the server's own machine (`plumbline-server user …`,
//! `device …`): add users to workspaces, list and revoke device tokens.
//!
//! Passwords reach [`add_user`] through a callback, so the binary asks for one only when
//! a new user needs it, and never from the command line.

use plumbline_wire::Role;

use crate::accounts::{AccountError, Device, MembershipChange, User};
use crate::credentials::{self, CredentialError};
use crate::database::{on_pool, Database, DbId};

/// Why an administrative command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// An argument is malformed; the message says what to pass instead.
    #[error("{0}")]
    Invalid(String),
    /// A user or device named on the command line does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The password is unusable (too short, unreadable).
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// The database failed.
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// `user add`: who joins which workspace, in which role.
#[derive(Clone, Debug)]
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub workspace: String,
    pub role: Role,
    /// The tenants the membership is limited to; `None`: all of them.
    pub tenants: Option<Vec<String>>,
}

/// What `user add` did.
#[derive(Clone, Debug)]
pub struct UserAdded {
    pub user: User,
    pub user_created: bool,
    pub workspace_created: bool,
    pub membership: MembershipChange,
}

/// Creates the workspace and the user when missing, and makes the user a member with
/// the role. `password` is called only when the user is new; an existing user's
/// password and name stay as they are.
pub async fn add_user(
    database: &Database,
    member: &NewMember,
    password: impl FnOnce() -> Result<String, AdminError>,
) -> Result<UserAdded, AdminError> {
    let email = member.email.trim();
    if email.is_empty()
        || email.chars().any(char::is_whitespace)
        || !email.contains('@')
        || email.starts_with('@')
        || email.ends_with('@')
    {
        return Err(AdminError::Invalid(format!(
            "{email:?} is not an e-mail address: pass --email like alice@example.com"
        )));
    }
    let name = member.name.trim();
    if name.is_empty() {
        return Err(AdminError::Invalid(
            "the name is empty: pass --name with the person's name".into(),
        ));
    }
    let workspace = member.workspace.trim();
    if workspace.is_empty() {
        return Err(AdminError::Invalid(
            "the workspace name is empty: pass --workspace NAME".into(),
        ));
    }
    if let Some(tenants) = &member.tenants {
        if tenants.iter().any(|tenant| tenant.trim().is_empty()) {
            return Err(AdminError::Invalid("--tenant must not be empty".into()));
        }
    }

    let email_key = credentials::email_key(email);
    let (user, user_created) = match database.user_by_email(&email_key).await? {
        Some((user, _)) => (user, false),
        None => {
            let password = password()?;
            credentials::check_new_password(&password)?;
            let hash = credentials::hash_password(&password)?;
            let user = database.create_user(email, &email_key, name, &hash).await?;
            (user, true)
        }
    };
    let (workspace_id, workspace_created) = database.ensure_workspace(workspace).await?;
    let membership = database
        .set_membership(
            user.id,
            workspace_id,
            member.role,
            member.tenants.as_deref(),
        )
        .await?;
    Ok(UserAdded {
        user,
        user_created,
        workspace_created,
        membership,
    })
}

/// `device list`: every device the user signed in from, oldest first.
pub async fn list_devices(
    database: &Database,
    email: &str,
) -> Result<(User, Vec<Device>), AdminError> {
    let user = find_user(database, email).await?;
    let devices = database.devices(user.id).await?;
    Ok((user, devices))
}

/// `device revoke`: revokes the user's active tokens, or only those of the devices
/// named `device`; fails when none was active.
pub async fn revoke_devices(
    database: &Database,
    email: &str,
    device: Option<&str>,
) -> Result<(User, Vec<Device>), AdminError> {
    let user = find_user(database, email).await?;
    let detail = match device {
        Some(name) => format!("revoked by an administrator: device {name:?}"),
        None => "revoked by an administrator: every device of the user".to_owned(),
    };
    let revoked = database.revoke_devices(user.id, device, &detail).await?;
    if revoked.is_empty() {
        let what = match device {
            Some(name) => format!("no device named {name:?} with an active token"),
            None => "no device with an active token".to_owned(),
        };
        return Err(AdminError::NotFound(format!(
            "{} has {what}; `plumbline-server device list --email {}` shows the devices",
            user.email, user.email
        )));
    }
    Ok((user, revoked))
}

async fn find_user(database: &Database, email: &str) -> Result<User, AdminError> {
    match database
        .user_by_email(&credentials::email_key(email))
        .await?
    {
        Some((user, _)) => Ok(user),
        None => Err(AdminError::NotFound(format!(
            "no user with the e-mail {:?} on this server",
            email.trim()
        ))),
    }
}

/// `after-restore`: gives every workspace's log a new epoch, so that each device, at its
/// next pull, is told `must_resync`: it pulls everything again and pushes its own
/// operations again, which puts back what the backup lacked (the server answers
/// `duplicate` for what it has). Returns each workspace's name and new epoch.
pub async fn new_epochs(database: &Database) -> Result<Vec<(String, String)>, AdminError> {
    let rows: Vec<(DbId, String)> = on_pool!(database, pool => {
        sqlx::query_as(
            "SELECT s.workspace_id, w.name FROM sync_workspaces s \
             JOIN workspaces w ON w.id = s.workspace_id ORDER BY w.name",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(AccountError::from)?;
    let mut renewed = Vec::with_capacity(rows.len());
    for (workspace, name) in rows {
        let epoch = DbId::new();
        on_pool!(database, pool => {
            sqlx::query("UPDATE sync_workspaces SET epoch = $1 WHERE workspace_id = $2")
                .bind(epoch)
                .bind(workspace)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(AccountError::from)?;
        renewed.push((name, epoch.to_string()));
    }
    Ok(renewed)
}
