//! The server end to end: the real `plumbline-server` binary on a loopback port, driven
//! over HTTP and through its administration subcommands, each scenario once on a fresh
//! Postgres database and once on a fresh SQLite file.
//!
//! Postgres: PLUMBLINE_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test);
//! `scripts/postgres.sh` starts one. Without it the Postgres half fails, saying so.

mod desktop;
mod identity;
mod instance;
mod leases;
mod operations;
mod support;
mod sync;
mod tls;

/// Declares each scenario `name(Backend)` as two tests, `postgres::name` and
/// `sqlite::name`.
macro_rules! on_both_engines {
    ($($scenario:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let backend = crate::support::Backend::postgres().await;
                    crate::scenarios::$scenario(&backend).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let backend = crate::support::Backend::sqlite();
                    crate::scenarios::$scenario(&backend).await;
                }
            )*
        }
    };
}

/// Every scenario, wherever it is written.
mod scenarios {
    pub use crate::desktop::*;
    pub use crate::identity::*;
    pub use crate::leases::*;
    pub use crate::sync::*;
}

on_both_engines!(
    the_desktop_signs_in_is_revoked_and_signs_out,
    sign_in_returns_a_token_and_the_identity_with_its_roles,
    wrong_password_and_unknown_user_are_the_same_answer,
    the_sixth_failed_sign_in_is_rate_limited_on_every_instance,
    sign_out_revokes_the_calling_token,
    device_revoke_on_the_command_line_revokes_tokens,
    neither_token_nor_password_is_stored,
    probes_answer,
    bad_requests_are_api_errors,
    user_add_refuses_short_passwords_and_reads_stdin,
    a_database_from_a_newer_server_is_refused,
    push_and_pull_keep_order_pages_and_checksums,
    live_pull_wakes_when_another_device_pushes,
    the_authorisation_matrix_holds_on_every_endpoint,
    blob_frames_are_kept_as_sent_and_checked,
    changing_a_membership_grants_and_revokes_tenants,
    a_stranger_cannot_lock_the_real_user_out,
    leases_have_one_holder_expire_rest_and_keep_to_the_membership,
    concurrent_claims_grant_each_item_once,
);
