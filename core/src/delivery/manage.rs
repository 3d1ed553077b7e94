//! Managing destinations, for the desktop and the CLI alike: who may (admins, when the
//! workspace syncs with a server), adding one (its URL and secrets checked, then kept in
//! the keychain; a webhook's signing secret made and shown once), rotating a webhook's
//! secret, sending a test alert, removing one with its keychain entry.

use chrono::Utc;
use serde::Serialize;

use super::email::EmailSettings;
use super::outbox::{self, destination_secret, save_destination_secret, Alone};
use super::send::{check_destination, host_of, DestinationKind, DestinationSecret};
use super::signing::WebhookSecret;
use crate::keychain::Keychain;
use crate::store::{
    destination_account, AttemptRow, DeliveryRow, DestinationRow, Store, StoreError,
};
use crate::sync::api::Role;

/// Fails unless this device may change destinations, routes, policies: any device of a
/// workspace that does not sync; an admin or owner of the server workspace otherwise.
pub async fn check_admin(store: &Store) -> Result<(), StoreError> {
    let Some(connection) = store.server_connection().await? else {
        return Ok(());
    };
    let chosen = store.sync_state().await?.server_workspace;
    let roles: Vec<Role> = connection
        .workspaces
        .iter()
        .filter(|w| chosen.as_deref().is_none_or(|id| w.id == id))
        .map(|w| w.role)
        .collect();
    if roles.is_empty() || roles.iter().any(|r| *r <= Role::Admin) {
        return Ok(());
    }
    Err(StoreError::Invalid(
        "only admins of the workspace change alert destinations: ask one of them".to_owned(),
    ))
}

/// What a person enters for a new destination.
#[derive(Clone, Debug, Default)]
pub struct NewDestination {
    pub name: String,
    pub kind: Option<DestinationKind>,
    /// Empty for PagerDuty: its Events API.
    pub url: String,
    /// Webhooks: `whsec_…`; `None` makes one.
    pub signing_secret: Option<String>,
    /// PagerDuty's routing key.
    pub routing_key: Option<String>,
    /// E-mail: sender, recipients, SMTP credentials, TLS.
    pub email: Option<EmailSettings>,
    pub allow_private: bool,
}

/// A destination added: the row, and a webhook's new signing secret (shown this once).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AddedDestination {
    pub destination: DestinationRow,
    pub signing_secret: Option<String>,
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::Invalid(message.into())
}

/// Checks and adds a destination; its secret goes to the keychain first (and is removed
/// again when the database refuses the row).
pub async fn add_destination(
    store: &Store,
    keychain: &dyn Keychain,
    new: NewDestination,
) -> Result<AddedDestination, StoreError> {
    check_admin(store).await?;
    let kind = new
        .kind
        .ok_or_else(|| invalid("choose the kind: webhook, Teams, Slack, PagerDuty or e-mail"))?;
    let url = match (new.url.trim(), kind) {
        ("", DestinationKind::Pagerduty) => super::send::PAGERDUTY_EVENTS_URL.to_owned(),
        ("", DestinationKind::Email) => {
            return Err(invalid(
                "enter the mail relay: smtp://relay.example:587 (STARTTLS) or smtps://relay.example:465 (TLS)",
            ))
        }
        ("", _) => return Err(invalid("enter the destination's URL")),
        (url, _) => url.to_owned(),
    };
    let mut made = None;
    let signing_secrets = match (kind, new.signing_secret.as_deref().map(str::trim)) {
        (DestinationKind::Webhook, Some(secret)) if !secret.is_empty() => vec![secret.to_owned()],
        (DestinationKind::Webhook, _) => {
            let secret = WebhookSecret::generate()
                .map_err(|e| invalid(e.to_string()))?
                .expose();
            made = Some(secret.clone());
            vec![secret]
        }
        _ => Vec::new(),
    };
    let secret = DestinationSecret {
        url,
        signing_secrets,
        routing_key: new
            .routing_key
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty()),
        email: match kind {
            DestinationKind::Email => Some(tidy_email(new.email.unwrap_or_default())),
            _ => None,
        },
    };
    check_destination(kind, &secret, new.allow_private).map_err(|e| invalid(e.0))?;
    let id = uuid::Uuid::now_v7().to_string();
    save_destination_secret(keychain, &id, &secret).map_err(|e| {
        invalid(format!(
            "the keychain refused the destination's secret: {e}"
        ))
    })?;
    let target = host_of(&secret.url).unwrap_or_default();
    match store
        .add_destination(&id, &new.name, kind, &target, new.allow_private)
        .await
    {
        Ok(destination) => Ok(AddedDestination {
            destination,
            signing_secret: made,
        }),
        Err(error) => {
            if let Err(cleanup) = keychain.delete(&destination_account(&id)) {
                tracing::warn!(%cleanup, "could not remove the refused destination's secret");
            }
            Err(error)
        }
    }
}

/// Trims what a person typed; recipients may come comma- or space-separated.
fn tidy_email(mut settings: EmailSettings) -> EmailSettings {
    settings.from = settings.from.trim().to_owned();
    settings.to = settings
        .to
        .iter()
        .flat_map(|to| to.split([',', ';', '\n']))
        .map(|to| to.trim().to_owned())
        .filter(|to| !to.is_empty())
        .collect();
    let blank = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
    settings.username = blank(settings.username).map(|u| u.trim().to_owned());
    settings.password = blank(settings.password);
    settings.ca_pem = blank(settings.ca_pem);
    settings
}

/// A webhook's new signing secret (returned, to show once), kept alongside the current
/// one until [`finish_rotation`]: receivers switch in between, every message carries both
/// signatures.
pub async fn rotate_secret(
    store: &Store,
    keychain: &dyn Keychain,
    name: &str,
) -> Result<String, StoreError> {
    check_admin(store).await?;
    let row = store.destination(name).await?;
    if row.kind != DestinationKind::Webhook.as_str() {
        return Err(invalid("only webhooks have signing secrets"));
    }
    let mut secret = destination_secret(keychain, &row.id).map_err(invalid)?;
    let new = WebhookSecret::generate()
        .map_err(|e| invalid(e.to_string()))?
        .expose();
    secret.signing_secrets.insert(0, new.clone());
    secret.signing_secrets.truncate(2);
    save_destination_secret(keychain, &row.id, &secret).map_err(invalid)?;
    Ok(new)
}

/// Ends a rotation: only the newest signing secret signs.
pub async fn finish_rotation(
    store: &Store,
    keychain: &dyn Keychain,
    name: &str,
) -> Result<(), StoreError> {
    check_admin(store).await?;
    let row = store.destination(name).await?;
    let mut secret = destination_secret(keychain, &row.id).map_err(invalid)?;
    secret.signing_secrets.truncate(1);
    save_destination_secret(keychain, &row.id, &secret).map_err(invalid)
}

/// A test alert's delivery and its attempts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TestOutcome {
    pub delivery: DeliveryRow,
    pub attempts: Vec<AttemptRow>,
}

/// Puts a test alert for the destination in the outbox and sends what is due now.
pub async fn send_test(
    store: &Store,
    keychain: &dyn Keychain,
    name: &str,
) -> Result<TestOutcome, StoreError> {
    let queued = store.enqueue_test_delivery(name).await?;
    outbox::deliver_due(store, keychain, &Alone, Utc::now()).await?;
    Ok(TestOutcome {
        delivery: store.delivery(&queued.id).await?,
        attempts: store.delivery_attempts(&queued.id).await?,
    })
}

/// Removes a destination, its deliveries and its keychain entry.
pub async fn remove_destination(
    store: &Store,
    keychain: &dyn Keychain,
    name: &str,
) -> Result<DestinationRow, StoreError> {
    check_admin(store).await?;
    let row = store.remove_destination(name).await?;
    keychain
        .delete(&destination_account(&row.id))
        .map_err(|e| {
            invalid(format!(
                "the destination is gone but its secret stays in the keychain: {e}"
            ))
        })?;
    Ok(row)
}
