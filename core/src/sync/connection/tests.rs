//! Signing in, checking and signing out against the loopback fake server, on a real
//! SQLite file with an in-memory keychain.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::keychain::MemoryKeychain;
use crate::store::AuditFilter;
use crate::sync::api::Role;
use crate::sync::fake_server::{Canned, FakeServer, EMAIL, NAME, PASSWORD};

struct Setup {
    dir: tempfile::TempDir,
    store: Store,
    keychain: MemoryKeychain,
    server: FakeServer,
}

impl Setup {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("plumbline.db"))
            .await
            .expect("open");
        Self {
            dir,
            store,
            keychain: MemoryKeychain::default(),
            server: FakeServer::start().await.expect("fake server"),
        }
    }

    async fn sign_in(&self) -> Result<ServerConnection, ConnectionError> {
        self.sign_in_as(EMAIL, PASSWORD).await
    }

    async fn sign_in_as(
        &self,
        email: &str,
        password: &str,
    ) -> Result<ServerConnection, ConnectionError> {
        sign_in(
            &self.store,
            &self.keychain,
            &self.server.url(),
            email,
            password,
            "Alice's laptop",
        )
        .await
    }

    fn account(&self) -> String {
        token_account(self.store.workspace())
    }

    fn token(&self) -> Option<String> {
        self.keychain.get(&self.account()).expect("keychain")
    }

    async fn actions(&self) -> Vec<(String, serde_json::Value)> {
        self.store
            .audit_events(&AuditFilter::default())
            .await
            .expect("audit")
            .into_iter()
            .filter(|e| e.action.starts_with("server."))
            .map(|e| (e.action, e.summary))
            .collect()
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("plumbline.db")
    }
}

/// A port on loopback nothing listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Bytes of `needle` anywhere in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The database file and its write-ahead log.
fn database_bytes(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            std::fs::read(&path)
                .ok()
                .map(|bytes| (path.display().to_string(), bytes))
        })
        .collect()
}

#[tokio::test]
async fn signing_in_keeps_the_token_only_in_the_keychain_and_the_identity_in_the_database() {
    let setup = Setup::new().await;
    let before = status(&setup.store, &setup.keychain).await.expect("status");
    assert_eq!(before.status, ConnectionStatus::None);
    assert_eq!(before.url, None);
    assert_eq!(before.keychain, "in-memory keychain");

    let view = setup.sign_in().await.expect("sign in");
    assert_eq!(view.status, ConnectionStatus::Connected);
    assert_eq!(
        view.url.as_deref(),
        Some(format!("{}/", setup.server.url()).as_str())
    );
    let user = view.user.as_ref().expect("user");
    assert_eq!((user.email.as_str(), user.name.as_str()), (EMAIL, NAME));
    assert_eq!(view.device_name.as_deref(), Some("Alice's laptop"));
    assert!(view.device_id.is_some());
    let roles: Vec<(&str, Role)> = view
        .workspaces
        .iter()
        .map(|w| (w.name.as_str(), w.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("Contoso MSP", Role::Operator),
            ("Fabrikam MSP", Role::Viewer)
        ]
    );
    assert_eq!(
        view.server.as_ref().map(|s| s.version.as_str()),
        Some("0.1.0-fake")
    );
    assert!(view.checked_at.as_deref().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(view.problem, None);

    // The token the server issued is in the keychain under the workspace's account, and
    // nowhere else.
    let issued = setup.server.live_tokens();
    assert_eq!(issued.len(), 1);
    let token = issued[0].clone();
    assert_eq!(setup.keychain.accounts(), [setup.account()]);
    assert!(setup.account().starts_with("server-token:"));
    assert_eq!(setup.token().as_deref(), Some(token.as_str()));
    let shown = format!("{view:?} {}", serde_json::to_string(&view).expect("json"));
    assert!(!shown.contains(&token) && !shown.contains(PASSWORD));

    // What the database recorded, read back as the next start would.
    let again = status(&setup.store, &setup.keychain).await.expect("status");
    assert_eq!(again, view);
    let stored = setup
        .store
        .server_connection()
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        stored.keychain_account.as_deref(),
        Some(setup.account().as_str())
    );
    let actions = setup.actions().await;
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].0, "server.sign_in");
    assert_eq!(actions[0].1["email"], EMAIL);
    assert_eq!(actions[0].1["workspaces"][0]["role"], "operator");

    // Neither the database nor its write-ahead log holds the token or the password.
    let files = database_bytes(&setup.db());
    assert!(
        files
            .iter()
            .any(|(_, bytes)| contains(bytes, b"server.sign_in")),
        "the scan reads the written data"
    );
    for (name, bytes) in &files {
        assert!(!contains(bytes, token.as_bytes()), "the token is in {name}");
        assert!(
            !contains(bytes, PASSWORD.as_bytes()),
            "the password is in {name}"
        );
    }
}

#[tokio::test]
async fn a_check_after_revocation_removes_the_token_and_says_sign_in_again() {
    let setup = Setup::new().await;
    setup.sign_in().await.expect("sign in");
    let checked = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(checked.status, ConnectionStatus::Connected);
    assert_eq!(
        setup.server.requests().last().map(String::as_str),
        Some("GET /api/v1/me")
    );

    setup.server.revoke_all();
    let revoked = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(revoked.status, ConnectionStatus::SignedOut);
    let problem = revoked.problem.clone().expect("problem");
    assert!(
        problem.contains("revoked") && problem.contains("sign in again"),
        "{problem}"
    );
    assert!(
        setup.keychain.accounts().is_empty(),
        "the dead token is gone"
    );
    assert_eq!(revoked.workspaces, []);
    assert_eq!(revoked.device_id, None);
    assert_eq!(
        revoked.user.as_ref().map(|u| u.email.as_str()),
        Some(EMAIL),
        "kept to sign in again"
    );
    // Without a network, the same.
    assert_eq!(
        status(&setup.store, &setup.keychain).await.expect("status"),
        revoked
    );
    // A further check asks nobody: there is no token.
    let asked = setup.server.requests().len();
    check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(setup.server.requests().len(), asked);
    let last = setup.actions().await.pop().expect("audit");
    assert_eq!(last.0, "server.check");
    assert_eq!(last.1["reason"], "revoked");

    // A server that forgot the token (reset) is the same story.
    setup.sign_in().await.expect("sign in again");
    setup.server.forget_all();
    let forgotten = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(forgotten.status, ConnectionStatus::SignedOut);
    assert!(forgotten
        .problem
        .as_deref()
        .is_some_and(|p| p.contains("does not know") && p.contains("sign in again")));
    assert!(setup.keychain.accounts().is_empty());
}

#[tokio::test]
async fn an_unreachable_server_keeps_the_token_and_records_the_problem() {
    let mut setup = Setup::new().await;
    let connected = setup.sign_in().await.expect("sign in");
    let token = setup.token().expect("token");
    let url = setup.server.url();
    // The server goes away: nothing listens on its port any more.
    setup.server.stop().await;

    let failed = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(failed.status, ConnectionStatus::Failed);
    let problem = failed.problem.clone().expect("problem");
    assert!(
        problem.starts_with("Cannot reach the Plumbline server at"),
        "{problem}"
    );
    assert!(problem.contains(&url), "{problem}");
    assert!(
        problem.contains("check the address and that the server runs"),
        "{problem}"
    );
    assert_eq!(setup.token(), Some(token), "the token is kept");
    assert_eq!(
        failed.workspaces, connected.workspaces,
        "the last identity is kept"
    );
    assert!(failed.checked_at >= connected.checked_at);
    assert_eq!(
        status(&setup.store, &setup.keychain).await.expect("status"),
        failed
    );
    let last = setup.actions().await.pop().expect("audit");
    assert_eq!(
        (last.0.as_str(), &last.1["reason"]),
        ("server.check", &"unreachable".into())
    );

    // A sign-in elsewhere that fails changes nothing.
    let refused = sign_in(
        &setup.store,
        &setup.keychain,
        &closed_port_url(),
        EMAIL,
        PASSWORD,
        "Alice's laptop",
    )
    .await
    .expect_err("nothing listens");
    assert!(matches!(
        refused,
        ConnectionError::Server(ClientError::Unreachable { .. })
    ));
    assert!(setup.token().is_some(), "a failed sign-in changes nothing");
    assert_eq!(
        status(&setup.store, &setup.keychain)
            .await
            .expect("status")
            .status,
        ConnectionStatus::Failed
    );
}

#[tokio::test]
async fn signing_out_deletes_the_token_and_revokes_it_on_the_server() {
    let setup = Setup::new().await;
    setup.sign_in().await.expect("sign in");
    let out = sign_out(&setup.store, &setup.keychain)
        .await
        .expect("sign out");
    assert_eq!(out.status, ConnectionStatus::SignedOut);
    assert_eq!(out.problem, None);
    assert!(setup.keychain.accounts().is_empty());
    assert_eq!(
        setup.server.live_tokens(),
        Vec::<String>::new(),
        "revoked there"
    );
    assert_eq!(
        setup.server.requests().last().map(String::as_str),
        Some("POST /api/v1/auth/sign-out")
    );
    assert_eq!(
        out.device_name.as_deref(),
        Some("Alice's laptop"),
        "kept to sign in again"
    );
    let last = setup.actions().await.pop().expect("audit");
    assert_eq!(last.0, "server.sign_out");
    assert_eq!(last.1["server_revoked"], true);

    // Again: nothing to do, nothing recorded.
    let events = setup.actions().await.len();
    let again = sign_out(&setup.store, &setup.keychain)
        .await
        .expect("sign out");
    assert_eq!(again, out);
    assert_eq!(setup.actions().await.len(), events);
}

#[tokio::test]
async fn signing_out_deletes_the_token_even_when_the_server_is_down() {
    let mut setup = Setup::new().await;
    setup.sign_in().await.expect("sign in");
    let token = setup.token().expect("token");
    setup.server.stop().await;
    let out = sign_out(&setup.store, &setup.keychain)
        .await
        .expect("sign out");
    assert_eq!(out.status, ConnectionStatus::SignedOut);
    assert!(
        setup.keychain.accounts().is_empty(),
        "the token is gone here"
    );
    let problem = out.problem.expect("problem");
    assert!(problem.contains("could not be told"), "{problem}");
    assert!(problem.contains("revoke it there"), "{problem}");
    assert!(!problem.contains(&token));
    let last = setup.actions().await.pop().expect("audit");
    assert_eq!(last.1["server_revoked"], false);
}

#[tokio::test]
async fn addresses_and_fields_the_user_can_fix_are_refused_before_anything_is_sent() {
    let setup = Setup::new().await;
    let url = setup.server.url();
    for (url, email, password, device, says) in [
        (
            "ftp://plumbline.example.com",
            EMAIL,
            PASSWORD,
            "Laptop",
            "ftp: address",
        ),
        (
            "plumbline.example.com",
            EMAIL,
            PASSWORD,
            "Laptop",
            "https://plumbline.example.com",
        ),
        ("", EMAIL, PASSWORD, "Laptop", "Enter the server's address"),
        (
            url.as_str(),
            " ",
            PASSWORD,
            "Laptop",
            "Enter the e-mail address",
        ),
        (
            url.as_str(),
            "alice",
            PASSWORD,
            "Laptop",
            "is not an e-mail address",
        ),
        (url.as_str(), EMAIL, "", "Laptop", "Enter the password"),
        (url.as_str(), EMAIL, PASSWORD, "  ", "Name this computer"),
        (url.as_str(), EMAIL, PASSWORD, "two\nlines", "on one line"),
    ] {
        let error = sign_in(&setup.store, &setup.keychain, url, email, password, device)
            .await
            .expect_err(says);
        assert!(
            matches!(error, ConnectionError::Invalid(_)),
            "{says}: {error:?}"
        );
        assert!(error.to_string().contains(says), "{says}: {error}");
        assert!(!error.to_string().contains(PASSWORD));
    }
    assert_eq!(setup.server.requests(), Vec::<String>::new());
    assert!(setup.keychain.accounts().is_empty());
    assert_eq!(setup.store.server_connection().await.expect("read"), None);
}

#[tokio::test]
async fn wrong_credentials_and_rate_limits_are_told_apart_and_change_nothing() {
    let setup = Setup::new().await;
    let error = setup
        .sign_in_as(EMAIL, "wrong password")
        .await
        .expect_err("wrong password");
    assert!(
        matches!(error, ConnectionError::Server(ClientError::BadCredentials)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("check both and sign in again"),
        "{error}"
    );

    setup.server.rate_limit(Some(30));
    let error = setup.sign_in().await.expect_err("rate limited");
    assert!(
        matches!(
            error,
            ConnectionError::Server(ClientError::RateLimited { retry_after: Some(d) })
                if d == Duration::from_secs(30)
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("wait 30 seconds"), "{error}");
    assert!(setup.keychain.accounts().is_empty());
    assert_eq!(setup.store.server_connection().await.expect("read"), None);
    assert_eq!(setup.actions().await, []);

    // A failed sign-in leaves a working connection as it was.
    setup.server.rate_limit(None);
    let connected = setup.sign_in().await.expect("sign in");
    let token = setup.token();
    setup
        .sign_in_as(EMAIL, "wrong password")
        .await
        .expect_err("wrong password");
    assert_eq!(setup.token(), token);
    assert_eq!(
        status(&setup.store, &setup.keychain).await.expect("status"),
        connected
    );
}

#[tokio::test]
async fn answers_that_are_not_the_api_are_reported_not_trusted() {
    let setup = Setup::new().await;
    for (canned, expect) in [
        (
            Canned {
                status: 200,
                content_type: "text/html",
                body: "<html>Welcome to nginx</html>".to_owned(),
            },
            "unexpected",
        ),
        (
            Canned {
                status: 200,
                content_type: "application/json",
                body: r#"{"token": "zq-not-a-token"}"#.to_owned(),
            },
            "unexpected",
        ),
        (
            Canned {
                status: 404,
                content_type: "text/html",
                body: "<h1>Not Found</h1>".to_owned(),
            },
            "unexpected",
        ),
        (
            Canned {
                status: 502,
                content_type: "text/html",
                body: "<h1>Bad Gateway</h1>".to_owned(),
            },
            "unreachable",
        ),
        (
            Canned {
                status: 500,
                content_type: "application/json",
                body: r#"{"error":{"code":"internal","message":"the database is down"}}"#
                    .to_owned(),
            },
            "refused",
        ),
        (
            Canned {
                status: 404,
                content_type: "application/json",
                body: r#"{"error":{"code":"not_found","message":"no such endpoint"}}"#.to_owned(),
            },
            "incompatible",
        ),
    ] {
        setup.server.answer_with(Some(canned.clone()));
        let error = setup.sign_in().await.expect_err(expect);
        let ConnectionError::Server(client) = &error else {
            panic!("{canned:?}: {error:?}");
        };
        assert_eq!(client.code(), expect, "{canned:?}: {error}");
        let message = error.to_string();
        assert!(
            !message.contains("nginx") && !message.contains("zq-not-a-token"),
            "{message}"
        );
    }
    setup.server.answer_with(None);
    assert!(setup.keychain.accounts().is_empty());

    // Once signed in, a garbage answer to a check is a failure that keeps the token.
    setup.sign_in().await.expect("sign in");
    setup.server.answer_with(Some(Canned {
        status: 200,
        content_type: "text/plain",
        body: "hello".to_owned(),
    }));
    let failed = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(failed.status, ConnectionStatus::Failed);
    assert!(failed
        .problem
        .as_deref()
        .is_some_and(|p| p.contains("not a Plumbline server's answer")));
    assert!(setup.token().is_some());
    setup.server.answer_with(None);
    let back = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(back.status, ConnectionStatus::Connected);
    assert_eq!(back.problem, None);
}

#[tokio::test]
async fn a_server_of_another_api_version_is_refused_and_its_token_revoked() {
    let setup = Setup::new().await;
    setup.server.speak_api(2);
    let error = setup.sign_in().await.expect_err("incompatible");
    assert!(matches!(
        error,
        ConnectionError::Server(ClientError::Incompatible(_))
    ));
    assert!(
        error
            .to_string()
            .contains("update Plumbline on this computer"),
        "{error}"
    );
    assert_eq!(setup.server.issued_tokens().len(), 1);
    assert_eq!(
        setup.server.live_tokens(),
        Vec::<String>::new(),
        "revoked again"
    );
    assert!(setup.keychain.accounts().is_empty());

    setup.server.speak_api(1);
    setup.sign_in().await.expect("sign in");
    setup.server.speak_api(2);
    let failed = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(failed.status, ConnectionStatus::Failed);
    assert!(failed
        .problem
        .as_deref()
        .is_some_and(|p| p.contains("API version 2")));
    assert!(setup.token().is_some());
}

#[tokio::test]
async fn signing_in_again_replaces_the_token_and_revokes_the_old_one() {
    let setup = Setup::new().await;
    setup.sign_in().await.expect("sign in");
    let first = setup.token().expect("token");
    setup.sign_in().await.expect("sign in again");
    let second = setup.token().expect("token");
    assert_ne!(first, second);
    assert_eq!(setup.keychain.accounts().len(), 1);
    assert_eq!(setup.server.live_tokens(), [second]);
    let actions = setup.actions().await;
    assert_eq!(
        actions.last().map(|a| &a.1["replaced_token"]),
        Some(&true.into())
    );
}

#[tokio::test]
async fn a_token_the_keychain_lost_shows_as_signed_out_without_asking_the_server() {
    let setup = Setup::new().await;
    setup.sign_in().await.expect("sign in");
    setup.keychain.delete(&setup.account()).expect("delete");
    let asked = setup.server.requests().len();

    let shown = status(&setup.store, &setup.keychain).await.expect("status");
    assert_eq!(shown.status, ConnectionStatus::SignedOut);
    assert!(shown.problem.as_deref().is_some_and(|p| p
        .contains("in-memory keychain no longer holds")
        && p.contains("sign in again")));
    let checked = check(&setup.store, &setup.keychain).await.expect("check");
    assert_eq!(checked.status, ConnectionStatus::SignedOut);
    assert_eq!(setup.server.requests().len(), asked, "no token, no request");
    let stored = setup
        .store
        .server_connection()
        .await
        .expect("read")
        .expect("row");
    assert_eq!(stored.status, StoredStatus::SignedOut);
    assert_eq!(stored.keychain_account, None);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = FakeServer::start().await.expect("fake server");
    server.hang(true);
    let client = Client::with_timeouts(
        ServerUrl::parse(&server.url()).expect("url"),
        Duration::from_millis(300),
        Duration::from_millis(300),
    )
    .expect("client");
    let started = std::time::Instant::now();
    let error = client
        .me(&DeviceToken::new("plt_whatever"))
        .await
        .expect_err("no answer");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(error, ClientError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("no answer within 300 ms"),
        "{error}"
    );
    assert!(!error.is_permanent());
}

#[tokio::test]
async fn a_closed_port_is_unreachable_with_the_reason() {
    let client = Client::new(ServerUrl::parse(&closed_port_url()).expect("url")).expect("client");
    let error = client
        .me(&DeviceToken::new("plt_whatever"))
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(message.contains("refused"), "{message}");
    assert!(
        message.contains("check the address and that the server runs"),
        "{message}"
    );
    assert!(!message.contains("plt_whatever"));
}

/// A server that reads blob uploads only as compressed JSON bundles (before blob frames)
/// refuses frames as a malformed body; the client then sends the same blobs as a bundle,
/// each decoded to its bytes.
#[tokio::test]
async fn blobs_reach_a_server_that_reads_only_bundles() {
    use std::collections::BTreeMap;

    use crate::sync::api::{BlobCodec, BlobFrame, SignInBody};
    let server = FakeServer::start().await.expect("fake server");
    let client = Client::new(ServerUrl::parse(&server.url()).expect("url")).expect("client");
    let (token, identity) = client
        .sign_in(&SignInBody {
            email: EMAIL.to_owned(),
            password: PASSWORD.to_owned(),
            device_name: "laptop".to_owned(),
        })
        .await
        .expect("sign in");
    let packed = br#"{"displayName":"packed"}"#.to_vec();
    let plain = br#"{"displayName":"plain"}"#.to_vec();
    let hash = |b: &[u8]| crate::store::blob_hash(b);
    let frames = [
        BlobFrame {
            sha256: hash(&packed),
            codec: BlobCodec::Zstd,
            size: packed.len() as u64,
            data: zstd::bulk::compress(&packed, 3).expect("zstd"),
        },
        BlobFrame {
            sha256: hash(&plain),
            codec: BlobCodec::None,
            size: plain.len() as u64,
            data: plain.clone(),
        },
    ];
    client
        .upload_blobs(&token, &identity.workspaces[0].id, &frames)
        .await
        .expect("uploaded as a bundle");
    assert_eq!(
        server.uploaded_blobs(),
        BTreeMap::from([(hash(&packed), packed), (hash(&plain), plain)])
    );
    let uploads = server
        .requests()
        .into_iter()
        .filter(|r| r.ends_with("/blobs/upload"))
        .count();
    assert_eq!(uploads, 2, "frames first, then the bundle");
}
