use super::*;
use crate::keychain::MemoryKeychain;
use crate::model::TenantProfile;
use crate::store::AuditFilter;

async fn store_with_tenant(dir: &std::path::Path) -> (Store, TenantId) {
    let store = Store::open(&dir.join("plumbline.db")).await.expect("open");
    let (tenant, _) = store
        .ensure_tenant(&TenantProfile {
            display_name: "Contoso".to_owned(),
            ..TenantProfile::default()
        })
        .await
        .expect("tenant");
    (store, tenant)
}

async fn actions(store: &Store) -> Vec<(String, serde_json::Value)> {
    store
        .audit_events(&AuditFilter::default())
        .await
        .expect("audit")
        .into_iter()
        .map(|e| (e.action, e.summary))
        .collect()
}

#[test]
fn guids_are_canonicalised_and_mistakes_say_where_to_look() {
    assert_eq!(
        guid(
            " {72F988BF-86F1-41AF-91AB-2D7CD011DB47} ",
            GuidField::EntraTenantId
        )
        .expect("braced upper case"),
        "72f988bf-86f1-41af-91ab-2d7cd011db47"
    );
    for bad in [
        "",
        "contoso.onmicrosoft.com",
        "72f988bf86f141af91ab2d7cd011db47",
        "72f988bf-86f1-41af-91ab-2d7cd011db4",
        "72f988bf-86f1-41af-91ab-2d7cd011db4g",
    ] {
        let message = guid(bad, GuidField::GraphAppId).expect_err(bad).to_string();
        assert!(message.contains("app registration"), "{bad}: {message}");
        assert!(message.contains("36 characters"), "{bad}: {message}");
    }
    let nil = guid(
        "00000000-0000-0000-0000-000000000000",
        GuidField::EntraTenantId,
    )
    .expect_err("nil")
    .to_string();
    assert!(nil.contains("placeholder"), "{nil}");
}

#[test]
fn accent_colours_are_normalised_and_anything_else_is_refused() {
    assert_eq!(accent_colour("#aa3300").expect("lower"), "#AA3300");
    assert_eq!(accent_colour(" 1f4e79 ").expect("no hash"), "#1F4E79");
    for bad in ["blue", "#12345", "#1234567", "#GG0000", "rgb(1,2,3)", ""] {
        let message = accent_colour(bad).expect_err(bad).to_string();
        assert!(message.contains("#RRGGBB"), "{bad}: {message}");
    }
}

#[tokio::test]
async fn branding_and_language_round_trip_with_audit_events() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = store_with_tenant(dir.path()).await;
    assert_eq!(
        store.report_settings().await.expect("defaults"),
        ReportSettings::default()
    );

    let png = b"\x89PNG\r\n\x1a\nnot decoded here".to_vec();
    let saved = save_branding(
        &store,
        &BrandingUpdate {
            msp_name: "  Acme IT ".to_owned(),
            accent_colour: "#aa3300".to_owned(),
            logo: LogoChange::Replace {
                png: png.clone(),
                source: "/logos/acme.png".to_owned(),
            },
        },
    )
    .await
    .expect("save");
    assert_eq!(saved.msp_name, "Acme IT");
    assert_eq!(saved.accent_colour, "#AA3300");
    let logo = saved.logo.clone().expect("logo");
    assert_eq!(logo.png, png);
    assert_eq!(logo.sha256, crate::store::blob_hash(&png));
    assert_eq!(logo.source, "/logos/acme.png");
    assert_eq!(saved.language, ReportLanguage::En);
    assert!(saved.updated_at.is_some());

    // The language is saved on its own and leaves the branding alone.
    let german = set_report_language(&store, ReportLanguage::De)
        .await
        .expect("language");
    assert_eq!(german.language, ReportLanguage::De);
    assert_eq!(german.logo, saved.logo);

    // Keeping the logo keeps it; removing it removes it.
    let kept = save_branding(
        &store,
        &BrandingUpdate {
            msp_name: "Acme".to_owned(),
            accent_colour: "#000000".to_owned(),
            logo: LogoChange::Keep,
        },
    )
    .await
    .expect("keep");
    assert_eq!(kept.logo, saved.logo);
    assert_eq!(kept.language, ReportLanguage::De);
    let removed = save_branding(
        &store,
        &BrandingUpdate {
            msp_name: "Acme".to_owned(),
            accent_colour: "#000000".to_owned(),
            logo: LogoChange::Remove,
        },
    )
    .await
    .expect("remove");
    assert_eq!(removed.logo, None);

    // Reopening the file reads the same settings.
    drop(store);
    let reopened = Store::open(&dir.path().join("plumbline.db"))
        .await
        .expect("reopen");
    assert_eq!(reopened.report_settings().await.expect("read"), removed);

    let events = actions(&reopened).await;
    let settings: Vec<_> = events
        .iter()
        .filter(|(action, _)| action.starts_with("settings."))
        .collect();
    assert_eq!(settings.len(), 4, "{events:?}");
    assert_eq!(settings[0].1["logo"]["sha256"], logo.sha256.as_str());
    assert_eq!(settings[1].1["report_language"], "de");
    assert_eq!(settings[2].1["logo"], "kept");
    assert_eq!(settings[3].1["logo"], "removed");
}

#[tokio::test]
async fn bad_branding_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = store_with_tenant(dir.path()).await;
    let before = store.audit_event_count().await.expect("count");
    let attempt = |name: &str, colour: &str, logo: LogoChange| BrandingUpdate {
        msp_name: name.to_owned(),
        accent_colour: colour.to_owned(),
        logo,
    };
    for (update, says) in [
        (
            attempt(" ", "#000000", LogoChange::Keep),
            "Enter the MSP name",
        ),
        (attempt("Acme", "navy", LogoChange::Keep), "#RRGGBB"),
        (attempt("Acme\nIT", "#000000", LogoChange::Keep), "one line"),
        (
            attempt(
                "Acme",
                "#000000",
                LogoChange::Replace {
                    png: Vec::new(),
                    source: "/empty.png".to_owned(),
                },
            ),
            "empty",
        ),
        (
            attempt(
                "Acme",
                "#000000",
                LogoChange::Replace {
                    png: vec![0; MAX_LOGO_BYTES + 1],
                    source: "/huge.png".to_owned(),
                },
            ),
            "smaller PNG",
        ),
    ] {
        let error = save_branding(&store, &update).await.expect_err(says);
        assert!(matches!(error, SettingsError::Invalid(_)), "{error}");
        assert!(error.to_string().contains(says), "{error}");
    }
    assert_eq!(store.audit_event_count().await.expect("count"), before);
    assert_eq!(
        store.report_settings().await.expect("read"),
        ReportSettings::default()
    );
}

#[tokio::test]
async fn a_client_secret_lives_only_in_the_keychain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, tenant) = store_with_tenant(dir.path()).await;
    let keychain = MemoryKeychain::default();
    let secret = "Qx8~settings-test-SECRET-value-4711.abcdefgh";

    // The app id comes first: a secret without its app registration is refused.
    let error = set_client_secret(&store, &keychain, tenant, secret)
        .await
        .expect_err("no app id");
    assert!(
        error.to_string().contains("application (client) id"),
        "{error}"
    );
    assert!(keychain.accounts().is_empty());

    let saved = save_tenant_connection(
        &store,
        &keychain,
        tenant,
        Some("72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
        Some("{11111111-2222-3333-4444-555555555555}"),
    )
    .await
    .expect("connection");
    assert_eq!(
        saved.entra_tenant_id.as_deref(),
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
    assert_eq!(
        saved.graph_app_id.as_deref(),
        Some("11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(saved.secret_set_at, None);

    // The secret's ID (a GUID) is not its value.
    let error = set_client_secret(
        &store,
        &keychain,
        tenant,
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
    )
    .await
    .expect_err("a GUID");
    assert!(error.to_string().contains("secret's Value"), "{error}");

    let set = set_client_secret(&store, &keychain, tenant, &format!("{secret}\n"))
        .await
        .expect("set");
    let account = client_secret_account(store.workspace(), tenant);
    assert_eq!(set.keychain_account.as_deref(), Some(account.as_str()));
    assert!(set.secret_set_at.is_some());
    assert_eq!(
        keychain.get(&account).expect("get").as_deref(),
        Some(secret)
    );

    let replaced = set_client_secret(&store, &keychain, tenant, "another-secret-value")
        .await
        .expect("replace");
    assert_eq!(replaced.keychain_account, set.keychain_account);
    assert_eq!(
        keychain.get(&account).expect("get").as_deref(),
        Some("another-secret-value")
    );

    let removed = remove_client_secret(&store, &keychain, tenant)
        .await
        .expect("remove");
    assert_eq!(removed.keychain_account, None);
    assert_eq!(removed.secret_set_at, None);
    assert_eq!(removed.graph_app_id, saved.graph_app_id);
    assert!(keychain.accounts().is_empty());
    remove_client_secret(&store, &keychain, tenant)
        .await
        .expect("removing again is no error");

    let events = actions(&store).await;
    let secret_events: Vec<_> = events
        .iter()
        .filter(|(action, _)| action.starts_with("tenant.secret."))
        .collect();
    assert_eq!(
        secret_events
            .iter()
            .map(|(a, s)| (a.as_str(), s["replaced"].as_bool()))
            .collect::<Vec<_>>(),
        [
            ("tenant.secret.set", Some(false)),
            ("tenant.secret.set", Some(true)),
            ("tenant.secret.remove", None),
        ]
    );
    let everything = serde_json::to_string(&events).expect("json");
    assert!(!everything.contains(secret) && !everything.contains("another-secret-value"));
}

#[tokio::test]
async fn an_entra_tenant_id_belongs_to_one_tenant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, contoso) = store_with_tenant(dir.path()).await;
    let (fabrikam, _) = store
        .ensure_tenant(&TenantProfile {
            display_name: "Fabrikam".to_owned(),
            ..TenantProfile::default()
        })
        .await
        .expect("tenant");
    let id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    save_tenant_connection(&store, &MemoryKeychain::default(), contoso, Some(id), None)
        .await
        .expect("contoso");
    let error = save_tenant_connection(
        &store,
        &MemoryKeychain::default(),
        fabrikam,
        Some(&id.to_uppercase()),
        None,
    )
    .await
    .expect_err("taken");
    assert!(
        matches!(error, SettingsError::Store(StoreError::Conflict(_))),
        "{error}"
    );
    assert!(error.to_string().contains("Contoso already has"), "{error}");
    // Clearing it on Contoso frees it.
    save_tenant_connection(&store, &MemoryKeychain::default(), contoso, Some(" "), None)
        .await
        .expect("clear");
    let fabrikam =
        save_tenant_connection(&store, &MemoryKeychain::default(), fabrikam, Some(id), None)
            .await
            .expect("now free");
    assert_eq!(fabrikam.entra_tenant_id.as_deref(), Some(id));
    let listed = store.tenant_connections().await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|c| (c.tenant_name.as_str(), c.entra_tenant_id.as_deref()))
            .collect::<Vec<_>>(),
        [("Contoso", None), ("Fabrikam", Some(id))]
    );
}

/// A keychain that refuses every write, to show nothing is recorded then.
struct RefusingKeychain;

impl Keychain for RefusingKeychain {
    fn get(&self, _: &str) -> Result<Option<String>, KeychainError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &str) -> Result<(), KeychainError> {
        Err(KeychainError("locked".to_owned()))
    }
    fn delete(&self, _: &str) -> Result<(), KeychainError> {
        Err(KeychainError("locked".to_owned()))
    }
    fn describe(&self) -> String {
        "refusing keychain".to_owned()
    }
}

#[tokio::test]
async fn a_keychain_that_refuses_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, tenant) = store_with_tenant(dir.path()).await;
    save_tenant_connection(
        &store,
        &RefusingKeychain,
        tenant,
        None,
        Some("11111111-2222-3333-4444-555555555555"),
    )
    .await
    .expect("app id");
    let before = store.audit_event_count().await.expect("count");
    let error = set_client_secret(&store, &RefusingKeychain, tenant, "value")
        .await
        .expect_err("refused");
    assert!(matches!(error, SettingsError::Keychain(_)), "{error}");
    assert_eq!(
        store
            .tenant_connection(tenant)
            .await
            .expect("read")
            .secret_set_at,
        None
    );
    assert_eq!(store.audit_event_count().await.expect("count"), before);
}

#[tokio::test]
async fn a_new_app_id_drops_the_old_apps_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, tenant) = store_with_tenant(dir.path()).await;
    let keychain = MemoryKeychain::default();
    let first_app = "11111111-2222-3333-4444-555555555555";
    save_tenant_connection(&store, &keychain, tenant, None, Some(first_app))
        .await
        .expect("app id");
    set_client_secret(&store, &keychain, tenant, "first-apps-secret-value")
        .await
        .expect("secret");
    // Saving the same app id again (a changed Entra id) keeps the secret.
    let kept = save_tenant_connection(
        &store,
        &keychain,
        tenant,
        Some("72f988bf-86f1-41af-91ab-2d7cd011db47"),
        Some(&first_app.to_uppercase()),
    )
    .await
    .expect("same app");
    assert!(kept.secret_set_at.is_some());
    assert_eq!(keychain.accounts().len(), 1);
    // Another app registration: its secret is not the old one's.
    let moved = save_tenant_connection(
        &store,
        &keychain,
        tenant,
        None,
        Some("99999999-2222-3333-4444-555555555555"),
    )
    .await
    .expect("new app");
    assert_eq!(moved.keychain_account, None);
    assert_eq!(moved.secret_set_at, None);
    assert!(keychain.accounts().is_empty(), "the old secret is gone");
    let actions: Vec<String> = actions(&store).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        actions.last().map(String::as_str),
        Some("tenant.secret.remove")
    );
    // Clearing the app id with a secret stored drops it too.
    save_tenant_connection(&store, &keychain, tenant, None, Some(first_app))
        .await
        .expect("back");
    set_client_secret(&store, &keychain, tenant, "second-secret-value")
        .await
        .expect("secret");
    let cleared = save_tenant_connection(&store, &keychain, tenant, None, None)
        .await
        .expect("clear");
    assert_eq!((cleared.graph_app_id, cleared.secret_set_at), (None, None));
    assert!(keychain.accounts().is_empty());
}
