//! Telling people: desktop notifications through `notify-rust`, and the alerts inbox
//! when the system has no notification service (no session bus, no notification daemon).

use std::sync::Arc;

use plumbline_core::baseline::Severity;
use plumbline_core::store::{AlertRow, Notice, Store};

use crate::jobs::{Announcer, Job, JobState};

/// Shows a notification, or says why it could not.
pub trait Notifier: Send + Sync {
    fn show(&self, title: &str, body: &str) -> Result<(), String>;
}

/// The system's notification service.
#[derive(Debug, Default)]
pub struct SystemNotifier;

impl Notifier for SystemNotifier {
    fn show(&self, title: &str, body: &str) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("Plumbline")
            .summary(title)
            .body(body)
            .show()
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Announces finished jobs and new alerts.
#[derive(Clone)]
pub struct Messenger {
    notifier: Arc<dyn Notifier>,
    store: Option<Store>,
}

impl std::fmt::Debug for Messenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messenger").finish_non_exhaustive()
    }
}

impl Messenger {
    /// `store` receives notices when a notification cannot be shown (none when the
    /// database did not open).
    pub fn new(notifier: Arc<dyn Notifier>, store: Option<Store>) -> Self {
        Self { notifier, store }
    }

    /// Shows a notification off the async threads (D-Bus calls block). Returns whether
    /// it was shown.
    async fn show(&self, title: String, body: String) -> bool {
        let notifier = Arc::clone(&self.notifier);
        let shown = tokio::task::spawn_blocking(move || notifier.show(&title, &body)).await;
        match shown {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                tracing::info!(%error, "no desktop notification; keeping it in the inbox");
                false
            }
            Err(error) => {
                tracing::warn!(%error, "the notification thread failed");
                false
            }
        }
    }

    /// Notifies the desktop of new alerts that ask for it (they are in the inbox
    /// already, whatever happens here).
    pub async fn alerts(&self, alerts: &[AlertRow]) {
        for alert in alerts.iter().filter(|a| a.notify) {
            self.show(alert.title.clone(), alert.body.clone()).await;
        }
    }

    /// Notifies the desktop that a job ended; the inbox gets a notice when it cannot.
    pub async fn job(&self, job: &Job) {
        let title = match job.state {
            JobState::Succeeded => format!("{} finished", job.title),
            JobState::Failed => format!("{} failed", job.title),
            JobState::Running | JobState::Cancelled => return,
        };
        let body = job.message.clone().unwrap_or_default();
        if self.show(title.clone(), body.clone()).await {
            return;
        }
        let Some(store) = &self.store else {
            return;
        };
        let notice = Notice {
            tenant: job.tenant_id.as_deref().and_then(|t| t.parse().ok()),
            severity: if job.state == JobState::Failed {
                Severity::Medium
            } else {
                Severity::Low
            },
            title,
            body,
        };
        if let Err(error) = store.record_notice(&notice).await {
            tracing::warn!(%error, "cannot put the notice in the inbox");
        }
    }
}

impl Announcer for Messenger {
    fn announce(&self, job: &Job) {
        let (messenger, job) = (self.clone(), job.clone());
        tauri::async_runtime::spawn(async move { messenger.job(&job).await });
    }
}
