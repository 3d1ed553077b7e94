//! A `plumbline-server serve` process started the way an operator configures one
//! (flags, environment, a configuration file), whose log lines the test reads, and which
//! the test can stop with SIGTERM or kill with SIGKILL.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_plumbline-server");

/// How to start an instance.
#[derive(Default)]
pub struct Launch {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

impl Launch {
    pub fn database(url: &str) -> Self {
        Self {
            args: vec!["--database".into(), url.into()],
            env: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.args.push(arg.to_owned());
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A running instance, killed when dropped.
pub struct Instance {
    pub base: String,
    child: Child,
    /// Standard error's lines so far.
    log: Arc<Mutex<Vec<String>>>,
    http: reqwest::Client,
}

impl Instance {
    /// Starts `serve` on a free loopback port and waits (at most 60 s) for its
    /// listening line.
    pub async fn start(launch: Launch) -> Self {
        let mut command = Command::new(BINARY);
        command
            .arg("serve")
            .args(&launch.args)
            .args(["--listen", "127.0.0.1:0"])
            .env_remove("RUST_LOG")
            .env_remove("PLUMBLINE_SERVER_DATABASE")
            .env_remove("PLUMBLINE_SERVER_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in &launch.env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start plumbline-server serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let lines_log = log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                lines_log.lock().expect("log").push(line);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("plumbline-server prints its address within 60 s")
            .expect("read plumbline-server's output");
        let Some(line) = line else {
            let status = child.wait().await;
            panic!(
                "plumbline-server serve stopped before listening ({status:?}): {}",
                log.lock().expect("log").join("\n")
            );
        };
        let base = line
            .strip_prefix("plumbline-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            base,
            child,
            log,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the instance runs")
    }

    /// Standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Sends SIGTERM, as a service manager stops it.
    pub fn terminate(&self) {
        signal(self.pid(), "TERM");
    }

    /// SIGKILL, and waits for the process to be gone.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("kill the instance");
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }

    /// Waits at most `bound` for the process to exit; its exit code.
    pub async fn exit_code(&mut self, bound: Duration) -> Option<i32> {
        tokio::time::timeout(bound, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("the instance did not exit within {bound:?}"))
            .expect("wait for the instance")
            .code()
    }

    /// GETs `path`; status and text.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("GET");
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}
