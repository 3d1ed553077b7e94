//! Identity and access (SYNC.md): users, sign-in, device tokens, the rate limit, the
//! audit log, and what the database may keep.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use plumbline_wire::{Identity, Role, SignedIn};
use sha2::{Digest, Sha256};

use crate::support::{
    age_failed_sign_ins, audit_rows, count, every_table_as_text, record_future_migration, Backend,
    PASSWORD,
};

pub async fn sign_in_returns_a_token_and_the_identity_with_its_roles(backend: &Backend) {
    backend
        .add_user("Alice@Example.com", "Contoso MSP", "admin")
        .await;
    // A second workspace, limited to two tenants.
    let limited = backend
        .cli(
            &[
                "user",
                "add",
                "--email",
                "alice@example.com",
                "--name",
                "ignored for an existing user",
                "--workspace",
                "Fabrikam",
                "--role",
                "reviewer",
                "--tenant",
                "tenant-a",
                "--tenant",
                "tenant-b",
            ],
            None,
            "",
        )
        .await;
    limited.assert_success();
    assert!(
        limited.stdout.contains("password unchanged"),
        "{limited:#?}"
    );

    let server = backend.serve().await;
    // The e-mail matches whatever its case.
    let answer = server
        .sign_in("  ALICE@example.COM ", PASSWORD, "Alice's laptop")
        .await;
    assert_eq!(answer.status, 200, "{answer:#?}");
    // The answer holds a secret: no cache may keep it.
    assert_eq!(answer.cache_control.as_deref(), Some("no-store"));
    let signed_in: SignedIn = serde_json::from_value(answer.body.clone()).expect("SignedIn");
    assert_eq!(signed_in.token.len(), 43, "32 bytes in base64url");
    let identity = &signed_in.identity;
    assert_eq!(identity.user.email, "Alice@Example.com");
    assert_eq!(identity.user.name, "Test Person");
    assert_eq!(identity.device.name, "Alice's laptop");
    assert_eq!(identity.server.name, "plumbline-server");
    assert_eq!(identity.server.api, 1);
    let roles: Vec<_> = identity
        .workspaces
        .iter()
        .map(|w| (w.name.as_str(), w.role, w.tenants.clone()))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("Contoso MSP", Role::Admin, None),
            (
                "Fabrikam",
                Role::Reviewer,
                Some(vec!["tenant-a".to_owned(), "tenant-b".to_owned()])
            ),
        ]
    );

    let database = backend.database().await;
    let used = "SELECT count(*) FROM device_tokens WHERE last_used_at IS NOT NULL AND name = $1";
    assert_eq!(count(&database, used, "Alice's laptop").await, 0);
    let me = server.me(&signed_in.token).await;
    assert_eq!(me.status, 200, "{me:#?}");
    let me: Identity = serde_json::from_value(me.body).expect("Identity");
    assert_eq!(&me, identity);
    assert_eq!(count(&database, used, "Alice's laptop").await, 1);
    assert_eq!(audit_rows(&database, "sign_in").await, 1);
    assert_eq!(audit_rows(&database, "token_used").await, 1);

    // A token the server never issued.
    server
        .me("x30uAk5PyVQfZA_xOdSrPHwWTBgIaqqF6hW6dV8dHf8")
        .await
        .assert_error(401, "bad_token");
    database.close().await;
}

pub async fn wrong_password_and_unknown_user_are_the_same_answer(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "operator")
        .await;
    let server = backend.serve().await;
    let wrong = server
        .sign_in("alice@example.com", "not the password", "laptop")
        .await;
    let unknown = server
        .sign_in("nobody@example.com", PASSWORD, "laptop")
        .await;
    let wrong_message = wrong.assert_error(401, "bad_credentials");
    let unknown_message = unknown.assert_error(401, "bad_credentials");
    assert_eq!(wrong_message, unknown_message);
    // The same body but for the request's own id.
    let without_id = |body: &serde_json::Value| {
        let mut body = body.clone();
        body["error"]
            .as_object_mut()
            .expect("an error")
            .remove("request_id")
            .expect("a request id");
        body
    };
    assert_eq!(without_id(&wrong.body), without_id(&unknown.body));

    let database = backend.database().await;
    assert_eq!(audit_rows(&database, "sign_in_failed").await, 2);
    let failed_for = "SELECT count(*) FROM server_audit \
                      WHERE action = 'sign_in_failed' AND user_id IS NOT NULL AND email_key = $1";
    assert_eq!(count(&database, failed_for, "alice@example.com").await, 1);
    assert_eq!(audit_rows(&database, "sign_in").await, 0);
    database.close().await;
}

pub async fn the_sixth_failed_sign_in_is_rate_limited_on_every_instance(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "operator")
        .await;
    backend
        .add_user("bob@example.com", "Contoso", "operator")
        .await;
    // Two instances on one database: the count must live in the database.
    let first = backend.serve().await;
    let second = backend.serve().await;
    for attempt in 0..5 {
        let server = if attempt % 2 == 0 { &first } else { &second };
        // Any case of the e-mail counts against the same account.
        let email = if attempt == 3 {
            "ALICE@example.com"
        } else {
            "alice@example.com"
        };
        server
            .sign_in(email, "wrong password!", "laptop")
            .await
            .assert_error(401, "bad_credentials");
    }
    let sixth = first
        .sign_in("alice@example.com", "wrong password!", "laptop")
        .await;
    sixth.assert_error(429, "rate_limited");
    let retry_after: u64 = sixth
        .retry_after
        .as_deref()
        .expect("Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    // The right password is refused too while the window lasts, on either instance.
    second
        .sign_in("alice@example.com", PASSWORD, "laptop")
        .await
        .assert_error(429, "rate_limited");
    // Other accounts are not affected.
    assert_eq!(
        second
            .sign_in("bob@example.com", PASSWORD, "laptop")
            .await
            .status,
        200
    );

    let database = backend.database().await;
    // Refused attempts do not extend the lock-out.
    assert_eq!(audit_rows(&database, "sign_in_failed").await, 5);
    // Once the failures are older than the window, the right password works again.
    age_failed_sign_ins(&database, 14).await;
    first
        .sign_in("alice@example.com", PASSWORD, "laptop")
        .await
        .assert_error(429, "rate_limited");
    age_failed_sign_ins(&database, 2).await;
    let again = first.sign_in("alice@example.com", PASSWORD, "laptop").await;
    assert_eq!(again.status, 200, "{again:#?}");
    database.close().await;
}

pub async fn sign_out_revokes_the_calling_token(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "operator")
        .await;
    let server = backend.serve().await;
    let laptop = server.token("alice@example.com", "laptop").await;
    let desktop = server.token("alice@example.com", "desktop").await;
    let sign_out = |token: String| {
        let request = server
            .http()
            .post(server.url("/api/v1/auth/sign-out"))
            .bearer_auth(token)
            .send();
        async move { crate::support::Answer::read(request.await.expect("sign-out")).await }
    };
    let signed_out = sign_out(laptop.clone()).await;
    assert_eq!(signed_out.status, 204, "{signed_out:#?}");
    assert!(signed_out.text.is_empty());
    server.me(&laptop).await.assert_error(401, "revoked");
    sign_out(laptop.clone()).await.assert_error(401, "revoked");
    // Only the calling device signed out.
    assert_eq!(server.me(&desktop).await.status, 200);

    let database = backend.database().await;
    assert_eq!(audit_rows(&database, "sign_out").await, 1);
    let revoked = "SELECT count(*) FROM device_tokens WHERE revoked_at IS NOT NULL AND name = $1";
    assert_eq!(count(&database, revoked, "laptop").await, 1);
    assert_eq!(count(&database, revoked, "desktop").await, 0);
    database.close().await;
}

pub async fn device_revoke_on_the_command_line_revokes_tokens(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "operator")
        .await;
    let server = backend.serve().await;
    let laptop = server.token("alice@example.com", "laptop").await;
    let desktop = server.token("alice@example.com", "desktop").await;

    let list = backend
        .cli(
            &["device", "list", "--email", "Alice@example.com"],
            None,
            "",
        )
        .await;
    list.assert_success();
    let lines: Vec<&str> = list.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{list:#?}");
    assert!(
        lines[0].starts_with("\"laptop\"") && lines[0].ends_with("active"),
        "{list:#?}"
    );
    assert!(lines[1].starts_with("\"desktop\""), "{list:#?}");

    let revoke = backend
        .cli(
            &[
                "device",
                "revoke",
                "--email",
                "alice@example.com",
                "--device",
                "laptop",
            ],
            None,
            "",
        )
        .await;
    revoke.assert_success();
    assert!(revoke.stdout.contains("revoked \"laptop\""), "{revoke:#?}");
    server.me(&laptop).await.assert_error(401, "revoked");
    assert_eq!(server.me(&desktop).await.status, 200);

    // Without --device: every remaining token.
    backend
        .cli(
            &["device", "revoke", "--email", "alice@example.com"],
            None,
            "",
        )
        .await
        .assert_success();
    server.me(&desktop).await.assert_error(401, "revoked");
    let list = backend
        .cli(
            &["device", "list", "--email", "alice@example.com"],
            None,
            "",
        )
        .await;
    assert_eq!(list.stdout.matches(" revoked ").count(), 2, "{list:#?}");

    // Nothing left to revoke, and unknown users, are "not found" (exit code 3).
    let again = backend
        .cli(
            &["device", "revoke", "--email", "alice@example.com"],
            None,
            "",
        )
        .await;
    assert_eq!(again.code, Some(3), "{again:#?}");
    assert!(again.stderr.contains("device list"), "{again:#?}");
    let unknown = backend
        .cli(
            &["device", "list", "--email", "nobody@example.com"],
            None,
            "",
        )
        .await;
    assert_eq!(unknown.code, Some(3), "{unknown:#?}");

    let database = backend.database().await;
    assert_eq!(audit_rows(&database, "revoked").await, 2);
    database.close().await;
}

pub async fn neither_token_nor_password_is_stored(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "owner")
        .await;
    let server = backend.serve().await;
    let token = server.token("alice@example.com", "laptop").await;
    // A failed attempt with a password that is not Alice's must not be kept either.
    let other_password = "my other password 123";
    server
        .sign_in("alice@example.com", other_password, "laptop")
        .await
        .assert_error(401, "bad_credentials");
    assert_eq!(server.me(&token).await.status, 200);

    let database = backend.database().await;
    let everything = every_table_as_text(&database).await;
    // The scan sees the rows: the token's hash, the user and the audit trail are there.
    let token_hash = hex::encode(Sha256::digest(token.as_bytes()));
    assert!(everything.contains(&token_hash), "{everything}");
    assert!(everything.contains("alice@example.com"), "{everything}");
    assert!(everything.contains("sign_in_failed"), "{everything}");
    for secret in [token.as_str(), PASSWORD, other_password] {
        assert!(
            !everything.contains(secret),
            "{secret:?} is stored:\n{everything}"
        );
    }

    let hash: String = match &database {
        plumbline_server::Database::Postgres(pool) => {
            sqlx::query_scalar("SELECT password_hash FROM users")
                .fetch_one(pool)
                .await
        }
        plumbline_server::Database::Sqlite(pool) => {
            sqlx::query_scalar("SELECT password_hash FROM users")
                .fetch_one(pool)
                .await
        }
    }
    .expect("the password hash");
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    let parsed = PasswordHash::new(&hash).expect("a PHC string");
    assert!(Argon2::default()
        .verify_password(PASSWORD.as_bytes(), &parsed)
        .is_ok());
    assert!(Argon2::default()
        .verify_password(other_password.as_bytes(), &parsed)
        .is_err());
    database.close().await;
}

pub async fn probes_answer(backend: &Backend) {
    let server = backend.serve().await;
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let response = server
            .http()
            .get(server.url(path))
            .send()
            .await
            .expect("probe");
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.text().await.expect("body"), body, "{path}");
    }
}

pub async fn bad_requests_are_api_errors(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "operator")
        .await;
    let server = backend.serve().await;
    let sign_in = server.url("/api/v1/auth/sign-in");
    let post_json = |body: &'static str| {
        server
            .http()
            .post(&sign_in)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let bodies = [
        "{not json",
        r#"{"email": "alice@example.com", "password": "x"}"#,
        r#"{"email": "alice@example.com", "password": "x", "device_name": "laptop", "admin": true}"#,
        r#"{"email": "alice@example.com", "password": "x", "device_name": "   "}"#,
        r#"{"email": 7, "password": "x", "device_name": "laptop"}"#,
    ];
    for body in bodies {
        let answer = crate::support::Answer::read(post_json(body).await.expect("request")).await;
        answer.assert_error(400, "bad_request");
    }
    // JSON without saying so.
    let untyped = server
        .http()
        .post(&sign_in)
        .body(r#"{"email": "alice@example.com", "password": "x", "device_name": "laptop"}"#)
        .send()
        .await
        .expect("request");
    let message = crate::support::Answer::read(untyped)
        .await
        .assert_error(400, "bad_request");
    assert!(message.contains("application/json"), "{message}");
    // None of these counted as a failed sign-in.
    let database = backend.database().await;
    assert_eq!(audit_rows(&database, "sign_in_failed").await, 0);
    database.close().await;

    // Unknown paths and methods answer ApiErrors too.
    let missing = server
        .http()
        .get(server.url("/api/v1/nothing-here"))
        .send()
        .await
        .expect("request");
    crate::support::Answer::read(missing)
        .await
        .assert_error(404, "not_found");
    let wrong_method = server.http().get(&sign_in).send().await.expect("request");
    crate::support::Answer::read(wrong_method)
        .await
        .assert_error(405, "bad_request");
}

pub async fn user_add_refuses_short_passwords_and_reads_stdin(backend: &Backend) {
    let add = |email: &'static str, password: Option<&'static str>, stdin: &'static str| async move {
        let args = [
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Carol",
            "--workspace",
            "Contoso",
        ];
        backend.cli(&args, password, stdin).await
    };
    // Too short, from the environment and from standard input: refused, nothing created.
    let short = add("carol@example.com", Some("eleven char"), "").await;
    assert_eq!(short.code, Some(2), "{short:#?}");
    assert!(short.stderr.contains("at least 12"), "{short:#?}");
    let short = add("carol@example.com", None, "short one\n").await;
    assert_eq!(short.code, Some(2), "{short:#?}");
    assert!(short.stderr.contains("at least 12"), "{short:#?}");
    let empty = add("carol@example.com", None, "").await;
    assert_eq!(empty.code, Some(2), "{empty:#?}");
    assert!(
        empty.stderr.contains("PLUMBLINE_SERVER_PASSWORD"),
        "{empty:#?}"
    );
    let database = backend.database().await;
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM users WHERE email_key = $1",
            "carol@example.com"
        )
        .await,
        0
    );

    // The first line of standard input, without its line ending; the default role.
    let added = add(
        "carol@example.com",
        None,
        "a long enough passphrase\r\nsecond line\n",
    )
    .await;
    added.assert_success();
    assert!(
        added.stdout.contains("created user carol@example.com"),
        "{added:#?}"
    );
    assert!(
        added.stdout.contains("created workspace Contoso"),
        "{added:#?}"
    );
    assert!(
        added.stdout.contains("is now operator of Contoso"),
        "{added:#?}"
    );
    // The same e-mail in another case is the same user: no password asked, none changed.
    let again = add("CAROL@example.com", None, "").await;
    again.assert_success();
    assert!(again.stdout.contains("already operator"), "{again:#?}");
    assert_eq!(
        count(
            &database,
            "SELECT count(*) FROM users WHERE email_key = $1",
            "carol@example.com"
        )
        .await,
        1
    );
    database.close().await;

    let server = backend.serve().await;
    let signed_in = server
        .sign_in("carol@example.com", "a long enough passphrase", "laptop")
        .await;
    assert_eq!(signed_in.status, 200, "{signed_in:#?}");
    assert_eq!(
        signed_in.body["identity"]["workspaces"][0]["role"],
        "operator"
    );
}

pub async fn a_database_from_a_newer_server_is_refused(backend: &Backend) {
    backend
        .add_user("alice@example.com", "Contoso", "owner")
        .await;
    let database = backend.database().await;
    record_future_migration(&database).await;
    database.close().await;
    let refused = backend
        .cli(
            &["device", "list", "--email", "alice@example.com"],
            None,
            "",
        )
        .await;
    assert_eq!(refused.code, Some(5), "{refused:#?}");
    assert!(
        refused.stderr.contains("schema version 9999"),
        "{refused:#?}"
    );
    assert!(
        refused.stderr.contains("update plumbline-server"),
        "{refused:#?}"
    );
}
