//! The Settings page's commands over IPC, on real SQLite files, with an in-memory keychain.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use plumbline_core::keychain::{Keychain, MemoryKeychain};
use plumbline_core::store::Store;

use super::{app_with, invoke, invoke_with, NoNotifications};
use crate::open_state_with;

struct Fixture {
    dir: tempfile::TempDir,
    keychain: Arc<MemoryKeychain>,
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let keychain = Arc::new(MemoryKeychain::default());
        let state = tauri::async_runtime::block_on(open_state_with(
            dir.path().join("plumbline.db"),
            Arc::new(NoNotifications::default()),
            keychain.clone(),
        ));
        let (app, webview) = app_with(state);
        Self {
            dir,
            keychain,
            _app: app,
            webview,
        }
    }

    fn call(&self, cmd: &str, args: serde_json::Value) -> serde_json::Value {
        invoke_with(&self.webview, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    fn refused(&self, cmd: &str, args: serde_json::Value) -> serde_json::Value {
        invoke_with(&self.webview, cmd, args).expect_err(cmd)
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("plumbline.db")
    }

    /// The database's recorded reports, read through a second connection to the file.
    fn recorded_reports(&self) -> Vec<plumbline_core::store::ReportRow> {
        tauri::async_runtime::block_on(async {
            let store = Store::open(&self.db()).await.expect("open");
            store.list_reports(None).await.expect("reports")
        })
    }
}

/// A small RGBA PNG, made here.
fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 3, 2);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("png header");
    writer
        .write_image_data(&[
            255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255, 128, 10, 20,
            30, 255,
        ])
        .expect("png data");
    drop(writer);
    bytes
}

fn branding_request(name: &str, colour: &str, logo: Option<&Path>) -> serde_json::Value {
    serde_json::json!({ "request": {
        "mspName": name,
        "accentColour": colour,
        "logoPath": logo.map(|p| p.display().to_string()),
        "removeLogo": false,
    }})
}

fn message(error: &serde_json::Value) -> &str {
    error["message"].as_str().expect("message")
}

#[test]
fn branding_round_trips_with_its_logo_and_reports_use_it_by_default() {
    let fixture = Fixture::new();
    let defaults = fixture.call("report_settings", serde_json::json!({}));
    assert_eq!(
        defaults,
        serde_json::json!({
            "mspName": "", "accentColour": "#1F4E79", "logo": null, "language": "en", "savedAt": null,
        })
    );

    let logo_file = fixture.dir.path().join("acme-logo.png");
    let logo = png();
    std::fs::write(&logo_file, &logo).expect("write logo");
    let saved = fixture.call(
        "save_branding",
        branding_request("  Saved MSP ", "#aa3300", Some(&logo_file)),
    );
    assert_eq!(saved["mspName"], "Saved MSP");
    assert_eq!(saved["accentColour"], "#AA3300");
    assert!(saved["savedAt"].as_str().expect("saved").ends_with('Z'));
    let sha256 = plumbline_reports::sha256_hex(&logo);
    assert_eq!(saved["logo"]["sha256"], sha256.as_str());
    assert_eq!(saved["logo"]["size"], logo.len());
    assert_eq!(
        (&saved["logo"]["width"], &saved["logo"]["height"]),
        (&3.into(), &2.into())
    );
    assert_eq!(saved["logo"]["source"], logo_file.display().to_string());
    let data_url = saved["logo"]["dataUrl"].as_str().expect("data url");
    let preview = base64::engine::general_purpose::STANDARD
        .decode(
            data_url
                .strip_prefix("data:image/png;base64,")
                .expect("a PNG data URL"),
        )
        .expect("base64");
    assert_eq!(preview, logo, "the preview is the stored PNG");

    let german = fixture.call(
        "set_report_language",
        serde_json::json!({ "language": "de" }),
    );
    assert_eq!(german["language"], "de");
    assert_eq!(
        german["logo"]["sha256"],
        sha256.as_str(),
        "the branding stays"
    );
    assert_eq!(
        fixture.call("report_settings", serde_json::json!({})),
        german
    );

    // The original file moves away: the stored bytes are enough.
    std::fs::remove_file(&logo_file).expect("remove the logo file");
    let generated = fixture.call(
        "generate_report",
        serde_json::json!({ "request": {
            "kind": "portfolio", "tenantId": null, "from": null, "to": null,
            "language": null, "branding": null, "outputPath": null,
        }}),
    );
    assert!(
        generated["path"].as_str().expect("path").contains("-de-"),
        "{generated}"
    );
    let reports = fixture.recorded_reports();
    let parameters = &reports[0].parameters;
    assert_eq!(parameters["language"], "de");
    assert_eq!(parameters["branding"]["msp_name"], "Saved MSP");
    assert_eq!(parameters["branding"]["accent"], "#AA3300");
    assert_eq!(parameters["branding"]["logo_sha256"], sha256.as_str());

    // The Reports page sends the prefilled branding and asks for the saved logo.
    fixture.call(
        "generate_report",
        serde_json::json!({ "request": {
            "kind": "portfolio", "tenantId": null, "from": null, "to": null, "language": "en",
            "branding": { "mspName": "Edited MSP", "accentColour": "#123456", "logoPath": null, "useSavedLogo": true },
            "outputPath": null,
        }}),
    );
    let parameters = &fixture.recorded_reports()[0].parameters;
    assert_eq!(parameters["branding"]["msp_name"], "Edited MSP");
    assert_eq!(parameters["branding"]["logo_sha256"], sha256.as_str());
    assert_eq!(parameters["language"], "en");

    let removed = fixture.call(
        "save_branding",
        serde_json::json!({ "request": {
            "mspName": "Saved MSP", "accentColour": "#AA3300", "logoPath": null, "removeLogo": true,
        }}),
    );
    assert_eq!(removed["logo"], serde_json::Value::Null);
    fixture.call(
        "generate_report",
        serde_json::json!({ "request": {
            "kind": "portfolio", "tenantId": null, "from": null, "to": null,
            "language": null, "branding": null, "outputPath": null,
        }}),
    );
    let parameters = &fixture.recorded_reports()[0].parameters;
    assert_eq!(parameters["branding"]["logo"], serde_json::Value::Null);
    assert_eq!(parameters["branding"].get("logo_sha256"), None);
}

#[test]
fn branding_the_reports_cannot_use_is_refused_with_invalid_input() {
    let fixture = Fixture::new();
    let not_png = fixture.dir.path().join("logo.png");
    std::fs::write(&not_png, b"GIF89a\x01\x00\x01\x00 not a PNG at all").expect("write");
    let folder = fixture.dir.path().to_path_buf();
    for (request, says) in [
        (branding_request("Acme", "blue", None), "#RRGGBB"),
        (branding_request("Acme", "#12345", None), "#RRGGBB"),
        (
            branding_request("  ", "#000000", None),
            "Enter the MSP name",
        ),
        (
            branding_request("Acme", "#000000", Some(&not_png)),
            "is not a PNG image reports can use",
        ),
        (
            branding_request("Acme", "#000000", Some(Path::new("/no/such/logo.png"))),
            "/no/such/logo.png",
        ),
        (
            branding_request("Acme", "#000000", Some(Path::new("logo.png"))),
            "full path",
        ),
        (
            branding_request("Acme", "#000000", Some(&folder)),
            "is a folder",
        ),
    ] {
        let error = fixture.refused("save_branding", request.clone());
        assert_eq!(error["code"], "invalid_input", "{request}: {error}");
        assert!(message(&error).contains(says), "{request}: {error}");
    }
    // Only the languages reports are written in: the IPC layer refuses anything else.
    fixture.refused(
        "set_report_language",
        serde_json::json!({ "language": "fr" }),
    );
    // Nothing was saved.
    let settings = fixture.call("report_settings", serde_json::json!({}));
    assert_eq!(settings["savedAt"], serde_json::Value::Null);
    assert_eq!(settings["language"], "en");
}

/// Bytes of `needle` anywhere in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_tenant_secret_goes_to_the_keychain_and_never_to_the_database() {
    let fixture = Fixture::new();
    let listed = fixture.call("tenant_connections", serde_json::json!({}));
    assert_eq!(listed["keychain"], "in-memory keychain");
    let tenants = listed["tenants"].as_array().expect("tenants");
    assert_eq!(tenants.len(), 5);
    let tenant = tenants[0]["tenantId"].as_str().expect("id").to_owned();
    assert_eq!(tenants[0]["secretSetAt"], serde_json::Value::Null);

    let connection = |entra: &str, app: &str| {
        serde_json::json!({ "request": {
            "tenantId": tenant, "entraTenantId": entra, "graphAppId": app,
        }})
    };
    let error = fixture.refused(
        "save_tenant_connection",
        connection("contoso.onmicrosoft.com", ""),
    );
    assert_eq!(error["code"], "invalid_input");
    assert!(message(&error).contains("Tenant ID"), "{error}");
    let error = fixture.refused(
        "save_tenant_connection",
        connection(
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "11111111-2222-3333-4444",
        ),
    );
    assert!(message(&error).contains("app registration"), "{error}");

    let secret = "Zq8~IPC-test-secret.value-0123456789abcdefXYZ";
    let error = fixture.refused(
        "set_tenant_secret",
        serde_json::json!({ "tenantId": tenant, "secret": secret }),
    );
    assert_eq!(error["code"], "invalid_input", "the app id comes first");
    assert!(fixture.keychain.accounts().is_empty());

    let saved = fixture.call(
        "save_tenant_connection",
        connection(
            "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
            "11111111-2222-3333-4444-555555555555",
        ),
    );
    assert_eq!(
        saved["entraTenantId"],
        "72f988bf-86f1-41af-91ab-2d7cd011db47"
    );
    assert_eq!(saved["graphAppId"], "11111111-2222-3333-4444-555555555555");

    let set = fixture.call(
        "set_tenant_secret",
        serde_json::json!({ "tenantId": tenant, "secret": secret }),
    );
    assert!(set["secretSetAt"].as_str().expect("set at").ends_with('Z'));
    assert!(!set.to_string().contains(secret), "never sent back");
    let accounts = fixture.keychain.accounts();
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].contains(&tenant), "{accounts:?}");
    assert_eq!(
        fixture.keychain.get(&accounts[0]).expect("get").as_deref(),
        Some(secret)
    );
    let listed = fixture.call("tenant_connections", serde_json::json!({}));
    assert!(!listed.to_string().contains(secret));
    assert_eq!(listed["tenants"][0]["secretSetAt"], set["secretSetAt"]);

    // Neither the database file nor its write-ahead log holds the secret's bytes (the
    // audit events say a secret was set, not what it is).
    let db = fixture.db();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let db_bytes = std::fs::read(&db).expect("db");
    let wal_bytes = std::fs::read(&wal).expect("the app has the database open: a WAL exists");
    assert!(
        contains(&wal_bytes, b"tenant.secret.set") || contains(&db_bytes, b"tenant.secret.set"),
        "the scan reads the written data"
    );
    for (name, bytes) in [("database", &db_bytes), ("WAL", &wal_bytes)] {
        assert!(
            !contains(bytes, secret.as_bytes()),
            "the secret is in the {name}"
        );
    }

    let removed = fixture.call(
        "remove_tenant_secret",
        serde_json::json!({ "tenantId": tenant }),
    );
    assert_eq!(removed["secretSetAt"], serde_json::Value::Null);
    assert_eq!(removed["graphAppId"], saved["graphAppId"]);
    assert!(fixture.keychain.accounts().is_empty());

    let error = fixture.refused(
        "set_tenant_secret",
        serde_json::json!({ "tenantId": "no such tenant", "secret": secret }),
    );
    assert_eq!(error["code"], "not_found");
}

#[test]
fn the_signing_key_is_shown_exported_and_rotated() {
    let fixture = Fixture::new();
    let key = fixture.call("signing_key", serde_json::json!({}));
    assert_eq!(key["createdNow"], true, "the first view makes the key");
    assert_eq!(key["keychain"], "in-memory keychain");
    assert_eq!(key["missing"], serde_json::Value::Null);
    let fingerprint = key["fingerprint"].as_str().expect("fingerprint").to_owned();
    assert_eq!(fingerprint.len(), 64);
    assert_eq!(key["retired"], serde_json::json!([]));
    let again = fixture.call("signing_key", serde_json::json!({}));
    assert_eq!(again["createdNow"], false);
    assert_eq!(again["fingerprint"], fingerprint.as_str());

    let exported = fixture.call("export_public_key", serde_json::json!({ "path": "" }));
    let path = PathBuf::from(exported["path"].as_str().expect("path"));
    assert_eq!(
        path.parent(),
        Some(fixture.dir.path().join("evidence").as_path())
    );
    assert_eq!(
        path.file_name().and_then(|n| n.to_str()),
        key["suggestedFileName"].as_str()
    );
    let public =
        plumbline_core::evidence::parse_public_key_pem(&std::fs::read(&path).expect("pem"))
            .expect("the exported PEM parses");
    assert_eq!(plumbline_core::evidence::fingerprint(&public), fingerprint);
    assert_eq!(exported["fingerprint"], fingerprint.as_str());
    let elsewhere = fixture.dir.path().join("keys/customer.pub");
    let exported = fixture.call(
        "export_public_key",
        serde_json::json!({ "path": elsewhere.display().to_string() }),
    );
    assert_eq!(exported["path"], elsewhere.display().to_string());
    assert!(elsewhere.is_file());

    let rotated = fixture.call("rotate_signing_key", serde_json::json!({}));
    assert_ne!(rotated["fingerprint"], fingerprint.as_str());
    assert_eq!(rotated["createdNow"], false);
    assert_eq!(rotated["retired"][0]["fingerprint"], fingerprint.as_str());
    assert!(rotated["retired"][0]["retiredAt"]
        .as_str()
        .expect("retired at")
        .ends_with('Z'));

    // The keychain loses the private half: the key is still shown, with what to do.
    for account in fixture.keychain.accounts() {
        fixture.keychain.delete(&account).expect("delete");
    }
    let lost = fixture.call("signing_key", serde_json::json!({}));
    assert_eq!(lost["fingerprint"], rotated["fingerprint"]);
    let missing = lost["missing"].as_str().expect("missing");
    assert!(
        missing.contains("Packs it signed still verify"),
        "{missing}"
    );
    let error = fixture.refused("export_public_key", serde_json::json!({ "path": "x.pub" }));
    assert_eq!(error["code"], "conflict");
    assert!(!fixture.dir.path().join("evidence/x.pub").exists());
}

#[test]
fn the_data_directory_is_described_and_only_it_opens_as_a_folder() {
    let fixture = Fixture::new();
    let data = invoke(&fixture.webview, "data_directory").expect("data_directory");
    let dir = fixture.dir.path();
    assert_eq!(data["dataDir"], dir.display().to_string());
    assert_eq!(data["dbPath"], fixture.db().display().to_string());
    assert_eq!(
        data["reportsDir"],
        dir.join("reports").display().to_string()
    );
    assert_eq!(
        data["evidenceDir"],
        dir.join("evidence").display().to_string()
    );
    let kib = data["databaseKib"].as_u64().expect("size");
    let on_disk = std::fs::metadata(fixture.db()).expect("db").len();
    assert!(
        kib * 1024 >= on_disk && on_disk > 0,
        "{kib} KiB vs {on_disk} bytes"
    );

    // Any folder but the data folder is refused (opening the data folder itself would
    // start the file manager, so it is checked in reports::tests instead).
    for folder in [dir.join("reports"), dir.join(".."), PathBuf::from("/")] {
        std::fs::create_dir_all(dir.join("reports")).expect("mkdir");
        let error = fixture.refused(
            "open_path",
            serde_json::json!({ "path": folder.display().to_string() }),
        );
        assert_eq!(error["code"], "invalid_input", "{}", folder.display());
        assert!(message(&error).contains("only the data folder"), "{error}");
    }
}

/// A port on loopback nothing listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn sign_in_request(url: &str, password: &str) -> serde_json::Value {
    serde_json::json!({ "request": {
        "url": url,
        "email": plumbline_core::sync::fake_server::EMAIL,
        "password": password,
        "deviceName": "Alice's laptop",
    }})
}

#[test]
fn the_server_connection_is_none_until_signed_in_and_asks_nobody() {
    let fixture = Fixture::new();
    let none = serde_json::json!({
        "url": null, "status": "none", "user": null, "deviceName": null, "workspaces": [],
        "serverVersion": null, "checkedAt": null, "problem": null,
        "keychain": "in-memory keychain",
    });
    assert_eq!(
        fixture.call("server_connection", serde_json::json!({})),
        none
    );
    assert_eq!(
        fixture.call("check_server_connection", serde_json::json!({})),
        none
    );
    assert_eq!(
        fixture.call("sign_out_of_server", serde_json::json!({})),
        none
    );
    assert!(fixture.keychain.accounts().is_empty());
}

#[test]
fn a_sign_in_that_fails_is_a_typed_error_that_says_what_to_do() {
    let fixture = Fixture::new();
    let unreachable = closed_port_url();
    let error = fixture.refused(
        "sign_in_to_server",
        sign_in_request(&unreachable, "whatever"),
    );
    assert_eq!(error["code"], "io", "{error}");
    let said = message(&error);
    assert!(
        said.starts_with(&format!(
            "Cannot reach the Plumbline server at {unreachable}/"
        )),
        "{said}"
    );
    assert!(
        said.contains("check the address and that the server runs"),
        "{said}"
    );

    for (url, says) in [
        ("plumbline.example.com", "https://plumbline.example.com"),
        ("ftp://plumbline.example.com", "https://"),
        ("", "Enter the server's address"),
    ] {
        let error = fixture.refused("sign_in_to_server", sign_in_request(url, "whatever"));
        assert_eq!(error["code"], "invalid_input", "{url}: {error}");
        assert!(message(&error).contains(says), "{url}: {error}");
    }
    let status = fixture.call("server_connection", serde_json::json!({}));
    assert_eq!(status["status"], "none");
    assert!(fixture.keychain.accounts().is_empty());
}

#[test]
fn signing_in_checking_and_signing_out_over_ipc() {
    use plumbline_core::sync::fake_server::{FakeServer, EMAIL, NAME, PASSWORD};

    let fixture = Fixture::new();
    let server = tauri::async_runtime::block_on(FakeServer::start()).expect("fake server");

    let error = fixture.refused(
        "sign_in_to_server",
        sign_in_request(&server.url(), "wrong password"),
    );
    assert_eq!(error["code"], "invalid_input", "{error}");
    assert!(message(&error).contains("check both"), "{error}");

    let connected = fixture.call(
        "sign_in_to_server",
        sign_in_request(&format!("{}/", server.url()), PASSWORD),
    );
    assert_eq!(connected["status"], "connected", "{connected}");
    assert_eq!(connected["url"], format!("{}/", server.url()));
    assert_eq!(
        connected["user"],
        serde_json::json!({ "email": EMAIL, "name": NAME })
    );
    assert_eq!(connected["deviceName"], "Alice's laptop");
    assert_eq!(connected["workspaces"][0]["name"], "Contoso MSP");
    assert_eq!(connected["workspaces"][0]["role"], "operator");
    assert_eq!(connected["workspaces"][1]["role"], "viewer");
    assert_eq!(connected["serverVersion"], "0.1.0-fake");
    assert!(connected["checkedAt"]
        .as_str()
        .expect("checked")
        .ends_with('Z'));
    assert_eq!(connected["problem"], serde_json::Value::Null);
    assert_eq!(connected["keychain"], "in-memory keychain");
    let token = server.live_tokens().pop().expect("a token was issued");
    let accounts = fixture.keychain.accounts();
    assert_eq!(accounts.len(), 1);
    assert!(accounts[0].starts_with("server-token:"), "{accounts:?}");
    assert_eq!(
        fixture.keychain.get(&accounts[0]).expect("get").as_deref(),
        Some(token.as_str())
    );
    assert!(!connected.to_string().contains(&token));
    assert!(!connected.to_string().contains(PASSWORD));
    assert_eq!(
        fixture.call("server_connection", serde_json::json!({})),
        connected
    );

    let checked = fixture.call("check_server_connection", serde_json::json!({}));
    assert_eq!(checked["status"], "connected");

    server.revoke_all();
    let revoked = fixture.call("check_server_connection", serde_json::json!({}));
    assert_eq!(revoked["status"], "signedOut", "{revoked}");
    let problem = revoked["problem"].as_str().expect("problem");
    assert!(problem.contains("sign in again"), "{problem}");
    assert_eq!(revoked["workspaces"], serde_json::json!([]));
    assert!(fixture.keychain.accounts().is_empty());

    fixture.call(
        "sign_in_to_server",
        sign_in_request(&server.url(), PASSWORD),
    );
    let out = fixture.call("sign_out_of_server", serde_json::json!({}));
    assert_eq!(out["status"], "signedOut");
    assert_eq!(out["problem"], serde_json::Value::Null);
    assert_eq!(out["user"]["email"], EMAIL, "kept to sign in again");
    assert!(fixture.keychain.accounts().is_empty());
    assert!(server.live_tokens().is_empty(), "revoked on the server too");
}
