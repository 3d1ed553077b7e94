//! The desktop's side against the real server: core's client and connection state (the
//! code behind Settings and `plumbline server`) signing in, checking, being revoked and
//! signing out, with the token only in the (in-memory) keychain.

use plumbline_core::keychain::{Keychain, MemoryKeychain};
use plumbline_core::store::Store;
use plumbline_core::sync::connection::{self, ConnectionStatus};
use plumbline_wire::Role;

use crate::support::{Backend, PASSWORD};

pub async fn the_desktop_signs_in_is_revoked_and_signs_out(backend: &Backend) {
    backend
        .add_user("carol@example.com", "Contoso MSP", "operator")
        .await;
    let server = backend.serve().await;
    let base = server.url("");
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("plumbline.db"))
        .await
        .expect("open the desktop database");
    let keychain = MemoryKeychain::default();

    // A wrong password changes nothing here.
    let refused = connection::sign_in(
        &store,
        &keychain,
        &base,
        "carol@example.com",
        "not the password",
        "Carol's laptop",
    )
    .await
    .expect_err("a wrong password is refused");
    assert!(
        refused.to_string().contains("e-mail address and password"),
        "{refused}"
    );
    assert!(keychain.accounts().is_empty());
    let nothing = connection::status(&store, &keychain).await.expect("status");
    assert_eq!(nothing.status, ConnectionStatus::None);

    let signed_in = connection::sign_in(
        &store,
        &keychain,
        &base,
        "carol@example.com",
        PASSWORD,
        "Carol's laptop",
    )
    .await
    .expect("sign in");
    assert_eq!(signed_in.status, ConnectionStatus::Connected);
    assert_eq!(signed_in.device_name.as_deref(), Some("Carol's laptop"));
    assert_eq!(signed_in.workspaces.len(), 1);
    assert_eq!(signed_in.workspaces[0].name, "Contoso MSP");
    assert_eq!(signed_in.workspaces[0].role, Role::Operator);
    let server_info = signed_in.server.as_ref().expect("the server answered");
    assert_eq!(server_info.name, "plumbline-server");
    // The token is in the keychain, and the server knows it.
    let accounts = keychain.accounts();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let token = keychain
        .get(&accounts[0])
        .expect("keychain")
        .expect("a token");
    assert_eq!(server.me(&token).await.status, 200);

    let checked = connection::check(&store, &keychain).await.expect("check");
    assert_eq!(checked.status, ConnectionStatus::Connected, "{checked:?}");

    // An administrator revokes the device on the server: the next check signs out here.
    backend
        .cli(
            &["device", "revoke", "--email", "carol@example.com"],
            None,
            "",
        )
        .await
        .assert_success();
    let revoked = connection::check(&store, &keychain).await.expect("check");
    assert_eq!(revoked.status, ConnectionStatus::SignedOut, "{revoked:?}");
    assert!(
        revoked
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("sign in again")),
        "{revoked:?}"
    );
    assert!(keychain.accounts().is_empty(), "the revoked token is gone");

    // Signing in again, then out: the server revokes that token too.
    connection::sign_in(
        &store,
        &keychain,
        &base,
        "carol@example.com",
        PASSWORD,
        "Carol's laptop",
    )
    .await
    .expect("sign in again");
    let accounts = keychain.accounts();
    let token = keychain
        .get(&accounts[0])
        .expect("keychain")
        .expect("a token");
    let out = connection::sign_out(&store, &keychain)
        .await
        .expect("sign out");
    assert_eq!(out.status, ConnectionStatus::SignedOut);
    assert!(keychain.accounts().is_empty());
    server.me(&token).await.assert_error(401, "revoked");

    // The desktop database never held a token.
    drop(store);
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("read dir") {
        raw.extend(std::fs::read(entry.expect("entry").path()).expect("read"));
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(
        !text.contains(&token),
        "the token is in the desktop database"
    );
    assert!(
        !text.contains(PASSWORD),
        "the password is in the desktop database"
    );
}
