//! What people choose in Settings: the branding and default language of reports, and
//! each tenant's Microsoft Graph connection (the app registration's id; its client
//! secret only in the OS keychain).
//!
//! Values are checked here, before the store writes them, so every writer refuses the
//! same input with the same message. Invariants:
//! - A client secret goes to the [`Keychain`] and nowhere else: the database keeps the
//!   keychain account and when the secret was set, audit events record *that* it was set
//!   or removed, never its value.
//! - The logo is kept as PNG bytes, not as a path, so reports keep it when the file moves.
//!   Whether the bytes are a PNG the report renderer reads is the caller's check (core
//!   does not depend on the renderer); this module only bounds their size.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::keychain::{Keychain, KeychainError};
use crate::model::{TenantId, WorkspaceId};
use crate::store::{Store, StoreError};

/// The accent colour of reports until one is saved: a dark blue that prints well in
/// colour and in greyscale (the report renderer's default too).
pub const DEFAULT_ACCENT_COLOUR: &str = "#1F4E79";

/// The largest logo file kept in the database. A cover logo is a few kilobytes; this
/// keeps a mistaken photo out of every settings read.
pub const MAX_LOGO_BYTES: usize = 4 * 1024 * 1024;

/// The longest MSP name: it has to fit one line of a report's running header.
pub const MAX_MSP_NAME_CHARS: usize = 120;

/// Why a settings change was refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value the user entered is not acceptable; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The OS keychain refused or failed.
    #[error("OS keychain: {0}")]
    Keychain(#[from] KeychainError),
}

/// The language reports are written in when a request does not say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportLanguage {
    #[default]
    En,
    De,
}

impl ReportLanguage {
    /// The ISO 639-1 code the database stores (`en`, `de`).
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }
}

/// A logo as the database keeps it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredLogo {
    pub png: Vec<u8>,
    /// SHA-256 (hex) of `png`.
    pub sha256: String,
    /// The file it was read from, for people (it may have moved since).
    pub source: String,
}

impl std::fmt::Debug for StoredLogo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredLogo")
            .field("bytes", &self.png.len())
            .field("sha256", &self.sha256)
            .field("source", &self.source)
            .finish()
    }
}

/// The workspace's report settings: branding and the default language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    /// Empty until saved.
    pub msp_name: String,
    /// `#RRGGBB`, upper case.
    pub accent_colour: String,
    pub logo: Option<StoredLogo>,
    pub language: ReportLanguage,
    /// When they were last saved; `None` when they never were (all defaults).
    pub updated_at: Option<String>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            msp_name: String::new(),
            accent_colour: DEFAULT_ACCENT_COLOUR.to_owned(),
            logo: None,
            language: ReportLanguage::En,
            updated_at: None,
        }
    }
}

/// What to do with the saved logo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Remove,
    /// Replace it with these PNG bytes, read from `source`.
    Replace {
        png: Vec<u8>,
        source: String,
    },
}

/// A change to the branding: name and colour as entered, and the logo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrandingUpdate {
    pub msp_name: String,
    pub accent_colour: String,
    pub logo: LogoChange,
}

/// A checked branding change, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ValidBranding {
    pub msp_name: String,
    pub accent_colour: String,
    pub logo: LogoChange,
}

/// One tenant's Microsoft Graph connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenantConnection {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    /// The Entra (Azure AD) tenant id, a lower-case GUID.
    pub entra_tenant_id: Option<String>,
    /// The app registration's application (client) id, a lower-case GUID.
    pub graph_app_id: Option<String>,
    /// The keychain entry holding the client secret, when one is stored.
    pub keychain_account: Option<String>,
    /// When the client secret was stored (RFC 3339, UTC).
    pub secret_set_at: Option<String>,
}

/// Which id a GUID check is about, for a message that says where to find it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuidField {
    EntraTenantId,
    GraphAppId,
}

impl GuidField {
    fn explain(self) -> &'static str {
        match self {
            Self::EntraTenantId => {
                "The Entra tenant id is the customer's \"Tenant ID\" on the Overview page of the \
                 Microsoft Entra admin centre"
            }
            Self::GraphAppId => {
                "The application (client) id is on the Overview page of the app registration \
                 in the Microsoft Entra admin centre"
            }
        }
    }
}

/// Checks a GUID and returns it in canonical form (lower case, hyphenated). Braces and
/// surrounding spaces, as some portals copy it, are accepted.
pub fn guid(text: &str, field: GuidField) -> Result<String, SettingsError> {
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(trimmed);
    let hyphenated = inner.len() == 36
        && inner.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !hyphenated {
        return Err(SettingsError::Invalid(format!(
            "{}, 36 characters like 72f988bf-86f1-41af-91ab-2d7cd011db47; {trimmed:?} is not \
             of that form: copy it again from there",
            field.explain()
        )));
    }
    let parsed = uuid::Uuid::from_str(inner)
        .map_err(|e| SettingsError::Invalid(format!("{}; {trimmed:?}: {e}", field.explain())))?;
    if parsed.is_nil() {
        return Err(SettingsError::Invalid(format!(
            "{}; the all-zero GUID is a placeholder, not an id: copy the real one",
            field.explain()
        )));
    }
    Ok(parsed.hyphenated().to_string())
}

/// Checks an accent colour and returns it as `#RRGGBB` in upper case (the `#` may be
/// left out).
pub fn accent_colour(text: &str) -> Result<String, SettingsError> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix('#').unwrap_or(trimmed);
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SettingsError::Invalid(format!(
            "The accent colour {trimmed:?} is not of the form #RRGGBB: enter six hexadecimal \
             digits after the #, for example #1F4E79"
        )));
    }
    Ok(format!("#{}", digits.to_ascii_uppercase()))
}

fn msp_name(text: &str) -> Result<String, SettingsError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(SettingsError::Invalid(
            "Enter the MSP name: reports print it on the cover and in every page's header"
                .to_owned(),
        ));
    }
    if name.chars().count() > MAX_MSP_NAME_CHARS {
        return Err(SettingsError::Invalid(format!(
            "The MSP name is longer than {MAX_MSP_NAME_CHARS} characters: shorten it so it fits \
             a report's header line"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(SettingsError::Invalid(
            "The MSP name contains a line break or another control character: enter it on one \
             line"
                .to_owned(),
        ));
    }
    Ok(name.to_owned())
}

/// Saves the branding (name, accent colour, logo) with its audit event.
pub async fn save_branding(
    store: &Store,
    update: &BrandingUpdate,
) -> Result<ReportSettings, SettingsError> {
    if let LogoChange::Replace { png, .. } = &update.logo {
        if png.is_empty() {
            return Err(SettingsError::Invalid(
                "The logo file is empty: choose a PNG image".to_owned(),
            ));
        }
        if png.len() > MAX_LOGO_BYTES {
            return Err(SettingsError::Invalid(format!(
                "The logo file is {} KiB; logos up to {} KiB are kept: export a smaller PNG",
                png.len() / 1024,
                MAX_LOGO_BYTES / 1024
            )));
        }
    }
    let valid = ValidBranding {
        msp_name: msp_name(&update.msp_name)?,
        accent_colour: accent_colour(&update.accent_colour)?,
        logo: update.logo.clone(),
    };
    store.write_branding(&valid).await?;
    Ok(store.report_settings().await?)
}

/// Saves the default report language with its audit event.
pub async fn set_report_language(
    store: &Store,
    language: ReportLanguage,
) -> Result<ReportSettings, SettingsError> {
    store.write_report_language(language).await?;
    Ok(store.report_settings().await?)
}

/// Saves a tenant's Entra tenant id and Graph application (client) id (`None` or blank
/// clears one) with its audit event. A client secret belongs to its app registration:
/// when the app id changes or is cleared, the stored secret is removed from the keychain
/// (and that recorded), so a secret never signs in as another app.
pub async fn save_tenant_connection(
    store: &Store,
    keychain: &dyn Keychain,
    tenant: TenantId,
    entra_tenant_id: Option<&str>,
    graph_app_id: Option<&str>,
) -> Result<TenantConnection, SettingsError> {
    let entra = non_blank(entra_tenant_id)
        .map(|t| guid(t, GuidField::EntraTenantId))
        .transpose()?;
    let app = non_blank(graph_app_id)
        .map(|t| guid(t, GuidField::GraphAppId))
        .transpose()?;
    let before = store.tenant_connection(tenant).await?;
    store
        .write_tenant_connection(tenant, entra.as_deref(), app.as_deref())
        .await?;
    if before.keychain_account.is_some() && before.graph_app_id != app {
        return remove_client_secret(store, keychain, tenant).await;
    }
    Ok(store.tenant_connection(tenant).await?)
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The keychain account of a tenant's Graph client secret: one per workspace and tenant,
/// so two workspaces on one machine never share an entry.
pub fn client_secret_account(workspace: WorkspaceId, tenant: TenantId) -> String {
    format!("workspace-{workspace}-tenant-{tenant}-graph-client-secret")
}

/// A pasted client secret, checked: trimmed (a pasted secret often carries the line break
/// after it; Entra secrets never have leading or trailing spaces), not empty, not a GUID
/// (the secret's id, the usual mistake).
fn checked_secret(secret: &str) -> Result<&str, SettingsError> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(SettingsError::Invalid(
            "Paste the client secret's value: it is shown once, in the Value column, when the \
             secret is created under Certificates & secrets of the app registration"
                .to_owned(),
        ));
    }
    if secret.chars().count() > MAX_SECRET_CHARS || secret.chars().any(char::is_control) {
        return Err(SettingsError::Invalid(
            "That is not a client secret (too long, or several lines): paste only the Value of \
             the secret"
                .to_owned(),
        ));
    }
    if uuid::Uuid::try_parse(secret).is_ok() {
        return Err(SettingsError::Invalid(
            "That is a GUID, most likely the secret's ID: paste the secret's Value instead (the \
             other column under Certificates & secrets; it is shown only right after the secret \
             is created)"
                .to_owned(),
        ));
    }
    Ok(secret)
}

/// The keychain account of the workspace's Graph app secret on this device.
pub fn graph_app_secret_account(workspace: WorkspaceId) -> String {
    format!("workspace-{workspace}-graph-app-client-secret")
}

/// Saves the workspace's multi-tenant Graph app: its application (client) id, the cloud
/// (see [`crate::connectors::graph::Cloud::parse`]) and, when given, its client secret
/// (to the keychain only). A new client id removes the old app's secret: a secret never
/// signs in as another app.
pub async fn save_graph_app(
    store: &Store,
    keychain: &dyn Keychain,
    client_id: &str,
    cloud: &str,
    secret: Option<&str>,
) -> Result<crate::store::GraphAppRecord, SettingsError> {
    let client_id = guid(client_id, GuidField::GraphAppId)?;
    let cloud = crate::connectors::graph::Cloud::parse(cloud)
        .map_err(SettingsError::Invalid)?
        .as_text();
    let secret = secret.map(checked_secret).transpose()?;
    let before = store.graph_app().await?;
    // Without a new secret, an app signing in with a certificate keeps it (only the client
    // id or the cloud changed); a new secret replaces the certificate.
    let kept_certificate = match (&secret, &before) {
        (None, Some(b)) if b.credential == "certificate" => b.certificate_pem.clone(),
        _ => None,
    };
    if kept_certificate.is_some() {
        store
            .write_graph_app(&client_id, &cloud, kept_certificate.as_deref())
            .await?;
        return store.graph_app().await?.ok_or_else(|| {
            SettingsError::Store(StoreError::NotFound {
                what: "Graph app",
                name: client_id,
            })
        });
    }
    store.write_graph_app(&client_id, &cloud, None).await?;
    let account = graph_app_secret_account(store.workspace());
    if let Some(secret) = secret {
        keychain.set(&account, secret)?;
        store.write_graph_app_secret_record(Some(&account)).await?;
    } else if before.as_ref().is_some_and(|b| {
        (b.client_id != client_id || b.credential != "secret") && b.keychain_account.is_some()
    }) {
        keychain.delete(&account)?;
        store.write_graph_app_secret_record(None).await?;
    }
    store.graph_app().await?.ok_or_else(|| {
        SettingsError::Store(StoreError::NotFound {
            what: "Graph app",
            name: client_id,
        })
    })
}

/// Saves the workspace's Graph app signing in with a certificate: the certificate (public
/// PEM, kept in the database) and its private key (PKCS#8 PEM, to the keychain only).
pub async fn save_graph_app_certificate(
    store: &Store,
    keychain: &dyn Keychain,
    client_id: &str,
    cloud: &str,
    certificate_pem: &str,
    private_key_pem: &str,
) -> Result<crate::store::GraphAppRecord, SettingsError> {
    use crate::connectors::graph::assertion;
    let client_id = guid(client_id, GuidField::GraphAppId)?;
    let cloud = crate::connectors::graph::Cloud::parse(cloud)
        .map_err(SettingsError::Invalid)?
        .as_text();
    assertion::thumbprint(certificate_pem).map_err(|e| SettingsError::Invalid(e.0))?;
    assertion::check_private_key(private_key_pem).map_err(|e| SettingsError::Invalid(e.0))?;
    let account = graph_app_secret_account(store.workspace());
    keychain.set(&account, private_key_pem.trim())?;
    store
        .write_graph_app(&client_id, &cloud, Some(certificate_pem.trim()))
        .await?;
    store.write_graph_app_secret_record(Some(&account)).await?;
    store.graph_app().await?.ok_or_else(|| {
        SettingsError::Store(StoreError::NotFound {
            what: "Graph app",
            name: client_id,
        })
    })
}

/// The longest client secret accepted (Entra's are 40 characters).
const MAX_SECRET_CHARS: usize = 1024;

/// Stores (or replaces) a tenant's Graph client secret in the keychain and records that
/// it was set. When the database write fails, the keychain is put back as it was.
pub async fn set_client_secret(
    store: &Store,
    keychain: &dyn Keychain,
    tenant: TenantId,
    secret: &str,
) -> Result<TenantConnection, SettingsError> {
    let secret = checked_secret(secret)?;
    let current = store.tenant_connection(tenant).await?;
    if current.graph_app_id.is_none() {
        return Err(SettingsError::Invalid(format!(
            "Save the application (client) id of {} first: the secret belongs to that app \
             registration",
            current.tenant_name
        )));
    }
    let account = client_secret_account(store.workspace(), tenant);
    let previous = keychain.get(&account)?;
    keychain.set(&account, secret)?;
    if let Err(error) = store
        .write_client_secret_record(tenant, Some(&account), previous.is_some())
        .await
    {
        let restored = match &previous {
            Some(old) => keychain.set(&account, old),
            None => keychain.delete(&account),
        };
        if let Err(restore) = restored {
            tracing::warn!(%restore, account = %account, "could not restore the keychain entry");
        }
        return Err(error.into());
    }
    Ok(store.tenant_connection(tenant).await?)
}

/// Removes a tenant's Graph client secret from the keychain and records that it was
/// removed. Safe to repeat: the keychain entry goes first, so a failed database write
/// leaves a record a second attempt clears.
pub async fn remove_client_secret(
    store: &Store,
    keychain: &dyn Keychain,
    tenant: TenantId,
) -> Result<TenantConnection, SettingsError> {
    let current = store.tenant_connection(tenant).await?;
    let account = current
        .keychain_account
        .clone()
        .unwrap_or_else(|| client_secret_account(store.workspace(), tenant));
    keychain.delete(&account)?;
    if current.keychain_account.is_some() {
        store.write_client_secret_record(tenant, None, true).await?;
    }
    Ok(store.tenant_connection(tenant).await?)
}

#[cfg(test)]
mod tests;
