//! Telling people: desktop notifications through `notify-rust`, and the alerts inbox
//! when the system has no notification service (no session bus, no notification daemon).

use std::sync::Arc;

use plumbline_core::baseline::Severity;
use plumbline_core::store::{AlertRow, AlertState, Notice, Store};

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
        for (title, body) in notifications(&worth_notifying(alerts)) {
            self.show(title, body).await;
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

/// At most this many alerts are notified one by one; more become one summary (a first
/// review of a thousand tenants must not pop up hundreds of notifications).
const SEPARATE: usize = 3;

/// The notifications (title, body) that announce `alerts`.
/// The new alerts whose rule asks for a notification, but for those already resolved
/// (raised for findings a later capture of the same history had fixed): nothing to do.
fn worth_notifying(alerts: &[AlertRow]) -> Vec<&AlertRow> {
    alerts
        .iter()
        .filter(|a| a.notify && a.state != AlertState::Resolved)
        .collect()
}

fn notifications(alerts: &[&AlertRow]) -> Vec<(String, String)> {
    if alerts.len() <= SEPARATE {
        return alerts
            .iter()
            .map(|a| (a.title.clone(), a.body.clone()))
            .collect();
    }
    let tenants: std::collections::BTreeSet<&str> =
        alerts.iter().filter_map(|a| a.tenant.as_deref()).collect();
    let mut lines: Vec<String> = alerts
        .iter()
        .take(SEPARATE)
        .map(|a| a.title.clone())
        .collect();
    lines.push(format!(
        "… and {} more: open Alerts in Plumbline to see them all.",
        alerts.len() - SEPARATE
    ));
    vec![(
        format!(
            "{} new alerts in {} tenants",
            alerts.len(),
            tenants.len().max(1)
        ),
        lines.join("\n"),
    )]
}

impl Announcer for Messenger {
    fn announce(&self, job: &Job) {
        let (messenger, job) = (self.clone(), job.clone());
        tauri::async_runtime::spawn(async move { messenger.job(&job).await });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(i: usize, tenant: &str) -> AlertRow {
        AlertRow {
            id: format!("a{i}"),
            rule: Some("rule".into()),
            tenant_id: Some(format!("t-{tenant}")),
            tenant: Some(tenant.to_owned()),
            severity: "high".into(),
            title: format!("{tenant}: alert {i}"),
            body: format!("body {i}"),
            raised_at: String::new(),
            acknowledged_at: None,
            snoozed_until: None,
            resolved_at: None,
            state: AlertState::Open,
            notify: true,
        }
    }

    #[test]
    fn resolved_alerts_and_rules_without_notifications_are_not_notified() {
        let mut alerts: Vec<AlertRow> = (0..4).map(|i| alert(i, "Contoso")).collect();
        alerts[1].state = AlertState::Resolved;
        alerts[1].resolved_at = Some("2026-12-07T10:00:00.000Z".into());
        alerts[2].notify = false;
        let ids: Vec<&str> = worth_notifying(&alerts)
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, vec!["a0", "a3"]);
    }

    #[test]
    fn a_few_alerts_are_notified_one_by_one_and_many_as_one_summary() {
        let few: Vec<AlertRow> = (0..3).map(|i| alert(i, "Contoso")).collect();
        let few: Vec<&AlertRow> = few.iter().collect();
        let shown = notifications(&few);
        assert_eq!(shown.len(), 3);
        assert_eq!(
            shown[2],
            ("Contoso: alert 2".to_owned(), "body 2".to_owned())
        );

        let many: Vec<AlertRow> = (0..250)
            .map(|i| alert(i, if i % 2 == 0 { "Contoso" } else { "Fabrikam" }))
            .collect();
        let many: Vec<&AlertRow> = many.iter().collect();
        let shown = notifications(&many);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].0, "250 new alerts in 2 tenants");
        assert_eq!(shown[0].1.lines().count(), 4);
        assert!(shown[0]
            .1
            .ends_with("… and 247 more: open Alerts in Plumbline to see them all."));
        assert!(notifications(&[]).is_empty());
    }
}
