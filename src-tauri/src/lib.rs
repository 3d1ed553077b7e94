//! Plumbline's desktop app: a thin Tauri 2 shell over `plumbline-core`.
//!
//! Setup opens the local database in the per-user data directory (the same one the CLI
//! uses), creates the small demo portfolio on first start with an empty database, and
//! registers the typed commands that the UI calls through `ui/src/backend`. The TypeScript
//! bindings (`ui/src/bindings.ts`) are generated from [`specta_builder`] by a test, which
//! fails when the committed file is stale.

pub mod alerts;
pub mod baselines;
pub mod capture;
pub mod commands;
pub mod console;
pub mod error;
pub mod evidence;
pub mod files;
pub mod graph;
pub mod jobs;
pub mod notify;
pub mod portfolio;
pub mod reports;
pub mod settings;
pub mod state;
pub mod sync;
pub mod window_state;

use std::process::ExitCode;

use plumbline_core::store::Store;
use tauri_specta::collect_commands;

use crate::error::CommandError;
use crate::state::AppState;

/// The command registry shared by the app and the bindings export.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    // Every type crosses one way (Rust to UI), so one TypeScript type per Rust type.
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        .commands(collect_commands![
            commands::app_info,
            commands::list_tenants,
            commands::report_interactive,
            commands::startup_timing,
            console::query_findings,
            console::finding_detail,
            console::decide_findings,
            console::tenant_overview,
            console::compare_captures,
            console::policy_diff,
            console::start_review,
            jobs::list_jobs,
            jobs::job_status,
            jobs::cancel_job,
            capture::import_capture,
            capture::preview_import,
            files::choose_path,
            evidence::create_evidence_pack,
            evidence::list_evidence_packs,
            evidence::verify_evidence_pack,
            alerts::list_alerts,
            alerts::open_alert_count,
            alerts::acknowledge_alerts,
            alerts::snooze_alerts,
            alerts::list_destinations,
            alerts::add_destination,
            alerts::test_destination,
            alerts::set_destination_enabled,
            alerts::remove_destination,
            alerts::list_deliveries,
            alerts::delivery_attempts,
            alerts::replay_delivery,
            alerts::list_silences,
            alerts::add_silence,
            alerts::expire_silence,
            alerts::list_escalation_policies,
            alerts::list_alert_rules,
            alerts::add_alert_rule,
            alerts::set_alert_rule_tenants,
            alerts::set_alert_rule_enabled,
            alerts::remove_alert_rule,
            alerts::route_alert_rule,
            alerts::set_rule_policy,
            alerts::add_escalation_policy,
            alerts::remove_escalation_policy,
            portfolio::portfolio_overview,
            reports::generate_report,
            reports::list_reports,
            reports::open_path,
            settings::report_settings,
            settings::save_branding,
            settings::set_report_language,
            settings::data_directory,
            settings::connections::tenant_connections,
            settings::connections::save_tenant_connection,
            settings::connections::set_tenant_secret,
            settings::connections::remove_tenant_secret,
            settings::server::server_connection,
            settings::server::sign_in_to_server,
            settings::server::check_server_connection,
            settings::server::sign_out_of_server,
            settings::signing_key::signing_key,
            settings::signing_key::export_public_key,
            settings::signing_key::rotate_signing_key,
            baselines::list_baselines,
            baselines::baseline_detail,
            baselines::baseline_items,
            baselines::baseline_item,
            baselines::set_baseline_rule,
            baselines::remove_baseline_rule,
            baselines::set_baseline_item_severity,
            baselines::start_baseline_draft,
            baselines::publish_baseline,
            baselines::create_baseline,
            baselines::list_policy_kinds,
            baselines::assign_baseline,
            baselines::unassign_baseline,
            baselines::export_baseline,
            sync::sync_status,
            sync::sync_now,
            sync::cancel_sync,
            sync::rejected_changes,
            graph::graph_app,
            graph::save_graph_app,
            graph::managed_tenants,
            graph::add_tenant,
            graph::test_tenant_connection,
            graph::capture_tenants,
            graph::set_capture_cadence,
            graph::set_tenant_tags,
            graph::resume_capture,
            graph::capture_runs,
        ])
}

/// Opens the database and, when it has no tenants yet, creates the demo portfolio; the
/// system's notifications and keychain.
pub async fn open_state(db_path: std::path::PathBuf) -> AppState {
    open_state_with(
        db_path,
        std::sync::Arc::new(notify::SystemNotifier),
        std::sync::Arc::new(plumbline_core::keychain::LazyOsKeychain::default()),
    )
    .await
}

/// Reviews the new demo portfolio, so the first look shows scores, findings and alerts
/// rather than blanks. Best effort: the database is fine if this fails, and **Review
/// now** does the same later.
async fn review_first_start_demo(store: &Store) {
    let reviewed = plumbline_core::review::review_all(
        store,
        &plumbline_core::review::ReviewOptions::default(),
        |_, _| {},
    )
    .await;
    let raised = match reviewed {
        Ok(_) => store.raise_alerts().await.map(drop),
        Err(error) => Err(error),
    };
    if let Err(error) = raised {
        tracing::warn!(%error, "the first review of the demo portfolio failed");
    }
}

/// [`open_state`] with the given notification service and keychain (tests).
pub async fn open_state_with(
    db_path: std::path::PathBuf,
    notifier: std::sync::Arc<dyn notify::Notifier>,
    keychain: std::sync::Arc<dyn plumbline_core::keychain::Keychain>,
) -> AppState {
    let opened = async {
        let store = Store::open(&db_path).await?;
        let created = if store.tenant_count().await? == 0 {
            tracing::info!("empty database: creating the demo portfolio");
            plumbline_core::portfolio::create_first_start_demo(&store).await?;
            review_first_start_demo(&store).await;
            true
        } else {
            false
        };
        Ok::<_, CommandError>((store, created))
    }
    .await;
    let (store, created) = match opened {
        Ok((store, created)) => (Ok(store), created),
        Err(error) => {
            tracing::error!(%error, "cannot open the database");
            (Err(error), false)
        }
    };
    AppState::with_services(store, db_path, created, notifier, keychain)
}

/// WebKitGTK composites pages with OpenGL by default. On machines without a usable GPU
/// (virtual machines, remote desktops, Xvfb) that is Mesa's software rasteriser, and on
/// the 1,000-tenant portfolio it cost a quarter of a second more per filter in the
/// findings table, 0.4 s more to start and ~90 MiB more memory (`bench-desktop`). A data
/// console draws tables and a few charts, which WebKit paints well without it, so the
/// app turns compositing off unless the environment already decides
/// (`WEBKIT_DISABLE_COMPOSITING_MODE`) or asks for it (`PLUMBLINE_GPU_COMPOSITING=1`).
fn prefer_software_compositing() {
    const WEBKIT: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux")
        && std::env::var_os(WEBKIT).is_none()
        && std::env::var("PLUMBLINE_GPU_COMPOSITING").as_deref() != Ok("1")
    {
        std::env::set_var(WEBKIT, "1");
    }
}

/// Whether a graphical display is reachable (Linux/BSD: X11 or Wayland).
fn has_display() -> bool {
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
    } else {
        true
    }
}

/// Runs the desktop app until its window closes.
pub fn run() -> ExitCode {
    let started = std::time::Instant::now();
    // Before GTK starts and before any other thread exists.
    prefer_software_compositing();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    if !has_display() {
        eprintln!(
            "plumbline-desktop: no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n\
             Run it from a desktop session, under `xvfb-run`, or use the command line instead:\n  \
             plumbline demo --tenants 5 && plumbline tenants"
        );
        return ExitCode::from(2);
    }

    let db_path = plumbline_core::paths::default_database();
    let state = tauri::async_runtime::block_on(open_state(db_path)).started_at(started);
    // The window's geometry is kept next to the database.
    let data_dir = state.data_dir();
    let builder = specta_builder::<tauri::Wry>();
    let result = tauri::Builder::default()
        .manage(state)
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            use tauri::Manager;
            app.state::<AppState>()
                .set_picker(std::sync::Arc::new(files::DialogPicker(
                    app.handle().clone(),
                )));
            window_state::manage(app, data_dir);
            app.state::<AppState>().start_sync();
            app.state::<AppState>().start_scheduled_captures();
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("plumbline-desktop: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests;
