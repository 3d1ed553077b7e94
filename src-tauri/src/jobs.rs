//! Long work in the background: reviews, imports and evidence packs run as jobs that
//! report their stage and progress, can be cancelled, and announce how they ended.
//!
//! A job is a tokio task watched by a supervisor task. Cancelling aborts the work at its
//! next await point; every write it makes is its own transaction, so what was committed
//! stays and what was not is rolled back (a cancelled review keeps the tenants it had
//! finished). When a job ends, the [`Announcer`] shows a desktop notification, or puts a
//! notice in the alerts inbox when the system cannot show one.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use serde::Serialize;
use specta::Type;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Review,
    Import,
    EvidencePack,
    Capture,
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// What a finished job produced, for the page that started it.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum JobResult {
    Review {
        /// Tenants actually reviewed (the others had nothing new).
        reviewed: u32,
        /// Tenants looked at.
        tenants: u32,
        opened: u32,
        resolved: u32,
        reopened: u32,
        /// Alerts the review raised that are open (not those resolved at once: raised
        /// for findings a later capture of the same history had fixed).
        alerts: u32,
        /// Tenants whose review failed, each as "name: error" (the others were reviewed).
        failures: Vec<String>,
    },
    Import {
        tenant_id: String,
        tenant: String,
        capture_id: String,
        items: u32,
        tenant_created: bool,
        /// Files left out (with `skip bad files`), each with why.
        skipped: Vec<String>,
    },
    Capture {
        /// Tenants asked for.
        tenants: u32,
        /// Captured whole.
        captured: u32,
        /// Captured with some kinds not read (recorded as not assessed).
        partial: u32,
        items: u32,
        /// Tenants not captured, each as "name: error".
        failures: Vec<String>,
    },
    EvidencePack {
        path: String,
        sha256: String,
        size: f64,
        fingerprint: String,
        files: u32,
        audit_events: u32,
        omitted: Vec<String>,
    },
}

/// A job as the UI sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    /// "Review of Contoso", "Evidence pack of Contoso, 2026-01-01 to 2026-03-31".
    pub title: String,
    pub tenant_id: Option<String>,
    pub state: JobState,
    /// What it is doing now ("Reading captures").
    pub stage: String,
    /// Done so far, 0 to 1; `None` while the size is unknown.
    pub progress: Option<f64>,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// How it ended, for people: a summary, or what went wrong and what to do.
    pub message: Option<String>,
    pub error_code: Option<ErrorCode>,
    pub result: Option<JobResult>,
}

/// How a job's work ends well: its result and a one-line summary.
pub struct Done {
    pub result: JobResult,
    pub summary: String,
}

/// Announces finished jobs (a desktop notification; the inbox when there is none).
pub trait Announcer: Send + Sync {
    fn announce(&self, job: &Job);
}

/// Finished jobs kept for the activity list, besides the running ones.
const KEEP_FINISHED: usize = 30;

struct Entry {
    job: Job,
    abort: Option<tokio::task::AbortHandle>,
    /// Jobs with the same key may not run at the same time.
    key: String,
}

/// The registry of jobs (managed Tauri state).
pub struct Jobs {
    entries: Mutex<Vec<Entry>>,
    announcer: Arc<dyn Announcer>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

/// Lets running work report its stage and progress.
#[derive(Clone)]
pub struct Progress {
    jobs: Arc<Jobs>,
    id: String,
}

impl Progress {
    /// Sets the stage and, when known, the fraction done (0 to 1).
    pub fn set(&self, stage: &str, fraction: Option<f64>) {
        self.jobs.update(&self.id, |job| {
            stage.clone_into(&mut job.stage);
            job.progress = fraction.map(|f| f.clamp(0.0, 1.0));
        });
    }
}

impl Jobs {
    pub fn new(announcer: Arc<dyn Announcer>) -> Arc<Self> {
        Arc::new(Self {
            entries: Mutex::new(Vec::new()),
            announcer,
        })
    }

    fn entries(&self) -> MutexGuard<'_, Vec<Entry>> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut Job)) {
        if let Some(entry) = self.entries().iter_mut().find(|e| e.job.id == id) {
            if entry.job.state == JobState::Running {
                change(&mut entry.job);
            }
        }
    }

    /// Starts `work` as a job. `key` says what may not run twice at once (e.g.
    /// `review` for every review); `busy` is the message when it already runs.
    pub fn start<F, Fut>(
        self: &Arc<Self>,
        kind: JobKind,
        title: String,
        tenant_id: Option<String>,
        key: String,
        busy: &str,
        work: F,
    ) -> Result<Job, CommandError>
    where
        F: FnOnce(Progress) -> Fut,
        Fut: Future<Output = Result<Done, CommandError>> + Send + 'static,
    {
        let id = uuid_v7();
        let job = Job {
            id: id.clone(),
            kind,
            title,
            tenant_id,
            state: JobState::Running,
            stage: "Starting".to_owned(),
            progress: None,
            started_at: plumbline_core::store::timestamp(Utc::now()),
            finished_at: None,
            message: None,
            error_code: None,
            result: None,
        };
        {
            let mut entries = self.entries();
            if entries
                .iter()
                .any(|e| e.job.state == JobState::Running && e.key == key)
            {
                return Err(CommandError::new(ErrorCode::Conflict, busy));
            }
            entries.push(Entry {
                job: job.clone(),
                abort: None,
                key,
            });
        }
        let progress = Progress {
            jobs: Arc::clone(self),
            id: id.clone(),
        };
        // Commands run on Tauri's tokio runtime, so plain tokio tasks (whose join
        // errors say whether they were cancelled) can be spawned here.
        let task = tokio::spawn(work(progress));
        let abort = task.abort_handle();
        if let Some(entry) = self.entries().iter_mut().find(|e| e.job.id == id) {
            entry.abort = Some(abort);
        }
        let jobs = Arc::clone(self);
        tokio::spawn(async move {
            let outcome = task.await;
            let finished = {
                let mut entries = jobs.entries();
                let Some(entry) = entries.iter_mut().find(|e| e.job.id == id) else {
                    return;
                };
                entry.abort = None;
                let job = &mut entry.job;
                job.finished_at = Some(plumbline_core::store::timestamp(Utc::now()));
                match outcome {
                    Ok(Ok(done)) => {
                        job.state = JobState::Succeeded;
                        job.progress = Some(1.0);
                        "Done".clone_into(&mut job.stage);
                        job.message = Some(done.summary);
                        job.result = Some(done.result);
                    }
                    Ok(Err(error)) => {
                        job.state = JobState::Failed;
                        job.message = Some(error.message);
                        job.error_code = Some(error.code);
                    }
                    Err(join) if join.is_cancelled() => {
                        job.state = JobState::Cancelled;
                        job.message = Some(
                            "Cancelled. What was already saved stays; nothing was half-written."
                                .to_owned(),
                        );
                    }
                    Err(join) => {
                        job.state = JobState::Failed;
                        job.message = Some(format!("The job stopped unexpectedly: {join}"));
                        job.error_code = Some(ErrorCode::Internal);
                    }
                }
                let job = job.clone();
                prune(&mut entries);
                job
            };
            if finished.state != JobState::Cancelled {
                jobs.announcer.announce(&finished);
            }
        });
        Ok(job)
    }

    /// Every running job and the last finished ones, newest first.
    pub fn list(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = self.entries().iter().map(|e| e.job.clone()).collect();
        jobs.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
        jobs
    }

    pub fn get(&self, id: &str) -> Result<Job, CommandError> {
        self.entries()
            .iter()
            .find(|e| e.job.id == id)
            .map(|e| e.job.clone())
            .ok_or_else(|| not_found(id))
    }

    /// Asks a running job to stop; it ends as cancelled. A finished job is left as is.
    pub fn cancel(&self, id: &str) -> Result<Job, CommandError> {
        let entries = self.entries();
        let entry = entries
            .iter()
            .find(|e| e.job.id == id)
            .ok_or_else(|| not_found(id))?;
        if let Some(abort) = &entry.abort {
            abort.abort();
        }
        Ok(entry.job.clone())
    }
}

fn not_found(id: &str) -> CommandError {
    CommandError::new(
        ErrorCode::NotFound,
        format!("No job {id}: it ended long ago or belonged to an earlier start of the app."),
    )
}

/// Keeps the running jobs and the newest finished ones.
fn prune(entries: &mut Vec<Entry>) {
    let finished = entries
        .iter()
        .filter(|e| e.job.state != JobState::Running)
        .count();
    let mut excess = finished.saturating_sub(KEEP_FINISHED);
    // Entries are in start order: the oldest finished go first.
    entries.retain(|e| {
        if excess > 0 && e.job.state != JobState::Running {
            excess -= 1;
            false
        } else {
            true
        }
    });
}

fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Waits until a job has ended (tests and callers that need the result).
pub async fn wait(jobs: &Jobs, id: &str) -> Result<Job, CommandError> {
    loop {
        let job = jobs.get(id)?;
        if job.state != JobState::Running {
            return Ok(job);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Running jobs and the last finished ones, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(state: tauri::State<'_, AppState>) -> Result<Vec<Job>, CommandError> {
    Ok(state.jobs().list())
}

/// One job, to follow its progress.
#[tauri::command]
#[specta::specta]
pub async fn job_status(
    state: tauri::State<'_, AppState>,
    id: String,
) -> Result<Job, CommandError> {
    state.jobs().get(&id)
}

/// Asks a running job to stop.
#[tauri::command]
#[specta::specta]
pub async fn cancel_job(
    state: tauri::State<'_, AppState>,
    id: String,
) -> Result<Job, CommandError> {
    state.jobs().cancel(&id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Job>>);

    impl Announcer for Recorder {
        fn announce(&self, job: &Job) {
            self.0.lock().expect("lock").push(job.clone());
        }
    }

    fn review_result() -> JobResult {
        JobResult::Review {
            reviewed: 1,
            tenants: 1,
            opened: 2,
            resolved: 0,
            reopened: 0,
            alerts: 0,
            failures: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_job_reports_progress_ends_and_is_announced() {
        let recorder = Arc::new(Recorder::default());
        let jobs = Jobs::new(recorder.clone());
        let (go, wait_for_go) = tokio::sync::oneshot::channel::<()>();
        let job = jobs
            .start(
                JobKind::Review,
                "Review of Contoso".into(),
                None,
                "review".into(),
                "busy",
                |progress| async move {
                    progress.set("Comparing", Some(0.5));
                    wait_for_go.await.ok();
                    Ok(Done {
                        result: review_result(),
                        summary: "1 tenant reviewed".into(),
                    })
                },
            )
            .expect("start");
        assert_eq!(job.state, JobState::Running);
        // The same key is refused while the first runs.
        let refused = jobs.start(
            JobKind::Review,
            "again".into(),
            None,
            "review".into(),
            "A review is already running.",
            |_| async { Err(CommandError::new(ErrorCode::Internal, "never runs")) },
        );
        assert_eq!(refused.expect_err("busy").code, ErrorCode::Conflict);
        while jobs.get(&job.id).expect("job").stage != "Comparing" {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(jobs.get(&job.id).expect("job").progress, Some(0.5));
        go.send(()).expect("go");
        let done = wait(&jobs, &job.id).await.expect("wait");
        assert_eq!(done.state, JobState::Succeeded);
        assert_eq!(done.result, Some(review_result()));
        assert_eq!(done.message.as_deref(), Some("1 tenant reviewed"));
        while recorder.0.lock().expect("lock").is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(recorder.0.lock().expect("lock")[0].id, job.id);
    }

    #[tokio::test]
    async fn a_cancelled_job_stops_and_is_not_announced() {
        let recorder = Arc::new(Recorder::default());
        let jobs = Jobs::new(recorder.clone());
        let job = jobs
            .start(
                JobKind::EvidencePack,
                "Pack".into(),
                None,
                "pack".into(),
                "busy",
                |_| async {
                    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    Err(CommandError::new(ErrorCode::Internal, "not reached"))
                },
            )
            .expect("start");
        jobs.cancel(&job.id).expect("cancel");
        let ended = wait(&jobs, &job.id).await.expect("wait");
        assert_eq!(ended.state, JobState::Cancelled);
        assert!(recorder.0.lock().expect("lock").is_empty());
        assert_eq!(
            jobs.cancel("nope").expect_err("unknown").code,
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn failures_carry_the_commands_error_and_old_jobs_are_pruned() {
        let jobs = Jobs::new(Arc::new(Recorder::default()));
        let mut last = String::new();
        for i in 0..(KEEP_FINISHED + 5) {
            let job = jobs
                .start(
                    JobKind::Import,
                    format!("Import {i}"),
                    None,
                    format!("import-{i}"),
                    "busy",
                    |_| async {
                        Err(CommandError::new(
                            ErrorCode::InvalidInput,
                            "No JSON files in /x: choose the export folder.",
                        ))
                    },
                )
                .expect("start");
            let ended = wait(&jobs, &job.id).await.expect("wait");
            assert_eq!(ended.state, JobState::Failed);
            assert_eq!(ended.error_code, Some(ErrorCode::InvalidInput));
            last = job.id;
        }
        let listed = jobs.list();
        assert_eq!(listed.len(), KEEP_FINISHED);
        assert_eq!(listed[0].id, last, "newest first");
    }
}
