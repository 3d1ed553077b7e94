//! "Test connection": signs in, reads the permissions granted, and probes one page of every
//! kind, answering in words a person can act on.

use serde::Serialize;

use super::capture::probes;
use super::{GraphError, TenantSession};
use crate::kinds;

/// How one kind can be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindAccess {
    pub kind: String,
    pub label: String,
    pub readable: bool,
    /// Why not, and what to do.
    pub problem: Option<String>,
}

/// The outcome of a connection test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnectionTest {
    /// Signed in and at least one kind readable.
    pub ok: bool,
    /// One sentence for the person.
    pub summary: String,
    pub signed_in: bool,
    /// The application permissions the token carries.
    pub permissions: Vec<String>,
    pub kinds: Vec<KindAccess>,
    /// When consent is missing: the page an administrator of the customer opens.
    pub admin_consent_url: Option<String>,
    pub intune_licensed: Option<bool>,
}

fn label(kind: &str) -> String {
    kinds::by_key(kind).map_or_else(|| kind.to_owned(), |k| k.label.to_owned())
}

/// Tests the connection of `session`'s tenant.
pub async fn test_connection(session: &TenantSession) -> ConnectionTest {
    let target = session.target().clone();
    let permissions = match session.roles().await {
        Ok(roles) => roles,
        Err(error) => {
            let consent = matches!(error, GraphError::SignIn { code: 700016, .. });
            return ConnectionTest {
                ok: false,
                summary: format!("Cannot sign in to {}: {error}", target.tenant),
                signed_in: false,
                permissions: Vec::new(),
                kinds: Vec::new(),
                admin_consent_url: consent.then(|| target.admin_consent_url()),
                intune_licensed: None,
            };
        }
    };
    if permissions.is_empty() {
        return ConnectionTest {
            ok: false,
            summary: "Signed in, but the app has no application permissions in this tenant: add \
                      DeviceManagementConfiguration.Read.All, DeviceManagementApps.Read.All, \
                      DeviceManagementRBAC.Read.All, Policy.Read.All and Group.Read.All as \
                      application permissions, then grant admin consent again"
                .to_owned(),
            signed_in: true,
            permissions,
            kinds: Vec::new(),
            admin_consent_url: Some(target.admin_consent_url()),
            intune_licensed: None,
        };
    }
    let mut set = tokio::task::JoinSet::new();
    for (index, (kinds, version, url)) in probes().into_iter().enumerate() {
        let session = session.clone();
        set.spawn(async move {
            let first_page = match url.split_once('?') {
                Some((path, query)) => format!("{path}?{query}&$top=1"),
                None => format!("{url}?$top=1"),
            };
            (index, kinds, session.get(version, &first_page, false).await)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = set.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(index, ..)| *index);
    let mut access = Vec::new();
    let mut licensed = None;
    for (_, kinds, outcome) in results {
        for kind in kinds {
            let (readable, problem) = match &outcome {
                Ok(_) => {
                    if !kind.starts_with("conditional") {
                        licensed = Some(true);
                    }
                    (true, None)
                }
                Err(error) => {
                    if error.is_not_licensed() {
                        licensed.get_or_insert(false);
                    }
                    (false, Some(error.to_string()))
                }
            };
            access.push(KindAccess {
                kind: (*kind).to_owned(),
                label: label(kind),
                readable,
                problem,
            });
        }
    }
    let readable = access.iter().filter(|k| k.readable).count();
    let summary = if readable == access.len() {
        format!("Connected: every kind ({readable}) can be read")
    } else if licensed == Some(false) && readable > 0 {
        format!(
            "Connected, but Intune is not available in this tenant (no Intune licence): only {readable} of {} kinds can be read",
            access.len()
        )
    } else if licensed == Some(false) {
        "Connected, but Intune is not available in this tenant (no Intune licence) and nothing else could be read".to_owned()
    } else if readable == 0 {
        "Signed in, but no kind can be read: see each kind's problem".to_owned()
    } else {
        format!(
            "Connected with gaps: {readable} of {} kinds can be read; the others need permissions (see each kind)",
            access.len()
        )
    };
    ConnectionTest {
        ok: readable > 0,
        summary,
        signed_in: true,
        permissions,
        kinds: access,
        admin_consent_url: None,
        intune_licensed: licensed,
    }
}
