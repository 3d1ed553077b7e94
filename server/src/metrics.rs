//! This instance's Prometheus metrics, written by hand in the text exposition format
//! (version 0.0.4): a few counters and histograms do not need a metrics framework.
//!
//! Invariants:
//! - Metrics are per instance (Prometheus sums instances); nothing here is state another
//!   instance needs.
//! - Label values are bounded: routes are the router's templates (`/api/v1/blobs/{sha256}`,
//!   never a concrete hash), methods and status codes are what HTTP has, and the other
//!   labels are fixed words.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Upper bounds of the pull lag histogram, in operations.
const LAG_BUCKETS: [f64; 7] = [0.0, 1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0];

#[derive(Debug, Default)]
struct Histogram {
    /// Cumulative counts are computed when rendering; these are per bucket, plus +Inf.
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], value: f64) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; bounds.len() + 1];
        }
        let index = bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(bounds.len());
        self.buckets[index] += 1;
        self.sum += value;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let mut cumulative = 0;
        let separator = if labels.is_empty() { "" } else { "," };
        for (index, bound) in bounds.iter().enumerate() {
            cumulative += self.buckets.get(index).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{separator}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → answers.
    requests: BTreeMap<(String, String, u16), u64>,
    /// route → latency.
    latency: BTreeMap<String, Histogram>,
    in_flight: i64,
    /// verdict (`accepted`, `duplicate`, `rejected`) → operations.
    pushed: BTreeMap<&'static str, u64>,
    pulled: u64,
    pull_lag: Histogram,
    blob_bytes_in: u64,
    blob_bytes_out: u64,
    /// reason (`bad_credentials`, `rate_limited`) → refused sign-ins.
    sign_in_failures: BTreeMap<&'static str, u64>,
    sign_ins: u64,
    /// outcome (`granted`, `refused`, `renewed`, `lost`, `completed`) → leases.
    leases: BTreeMap<&'static str, u64>,
}

/// The counters of one server process.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// What the database pool looks like at a scrape.
#[derive(Debug, Clone, Copy)]
pub struct PoolState {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = match self.inner.lock() {
            Ok(inner) => inner,
            // A panic while counting leaves numbers, not broken invariants.
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut inner)
    }

    pub fn request_started(&self) {
        self.with(|m| m.in_flight += 1);
    }

    pub fn request_finished(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.with(|m| {
            m.in_flight -= 1;
            *m.requests
                .entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
            m.latency
                .entry(route.to_owned())
                .or_default()
                .observe(&LATENCY_BUCKETS, elapsed.as_secs_f64());
        });
    }

    pub fn pushed(&self, accepted: u64, duplicate: u64, rejected: u64) {
        self.with(|m| {
            *m.pushed.entry("accepted").or_default() += accepted;
            *m.pushed.entry("duplicate").or_default() += duplicate;
            *m.pushed.entry("rejected").or_default() += rejected;
        });
    }

    /// A pull answered `operations`, when the device was `behind` operations behind the
    /// head as it asked.
    pub fn pulled(&self, operations: u64, behind: u64) {
        self.with(|m| {
            m.pulled += operations;
            m.pull_lag.observe(&LAG_BUCKETS, behind as f64);
        });
    }

    pub fn blob_bytes(&self, received: u64, sent: u64) {
        self.with(|m| {
            m.blob_bytes_in += received;
            m.blob_bytes_out += sent;
        });
    }

    pub fn sign_in(&self, failure: Option<&'static str>) {
        self.with(|m| match failure {
            Some(reason) => *m.sign_in_failures.entry(reason).or_default() += 1,
            None => m.sign_ins += 1,
        });
    }

    pub fn leases(&self, counts: crate::leases::LeaseCounts) {
        self.with(|m| {
            for (outcome, n) in [
                ("granted", counts.granted),
                ("refused", counts.refused),
                ("renewed", counts.renewed),
                ("lost", counts.lost),
                ("completed", counts.completed),
            ] {
                *m.leases.entry(outcome).or_default() += n;
            }
        });
    }

    /// The exposition text.
    pub fn render(&self, pool: PoolState, ready: bool) -> String {
        let mut out = String::new();
        self.with(|m| {
            header(&mut out, "plumbline_http_requests_total", "counter", "HTTP answers by method, route template and status.");
            for ((method, route, status), count) in &m.requests {
                let _ = writeln!(
                    out,
                    "plumbline_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape(route)
                );
            }
            header(&mut out, "plumbline_http_request_duration_seconds", "histogram", "Time to answer, by route template.");
            for (route, histogram) in &m.latency {
                histogram.render(
                    &mut out,
                    "plumbline_http_request_duration_seconds",
                    &format!("route=\"{}\"", escape(route)),
                    &LATENCY_BUCKETS,
                );
            }
            header(&mut out, "plumbline_http_requests_in_flight", "gauge", "Requests being answered (long polls included).");
            let _ = writeln!(out, "plumbline_http_requests_in_flight {}", m.in_flight);
            header(&mut out, "plumbline_sync_pushed_operations_total", "counter", "Pushed operations by verdict.");
            for verdict in ["accepted", "duplicate", "rejected"] {
                let _ = writeln!(
                    out,
                    "plumbline_sync_pushed_operations_total{{verdict=\"{verdict}\"}} {}",
                    m.pushed.get(verdict).copied().unwrap_or(0)
                );
            }
            header(&mut out, "plumbline_sync_pulled_operations_total", "counter", "Operations sent to devices by pulls.");
            let _ = writeln!(out, "plumbline_sync_pulled_operations_total {}", m.pulled);
            header(&mut out, "plumbline_sync_pull_lag_operations", "histogram", "How many operations behind the workspace's head a device was when it pulled (sync lag).");
            m.pull_lag.render(&mut out, "plumbline_sync_pull_lag_operations", "", &LAG_BUCKETS);
            header(&mut out, "plumbline_blob_bytes_total", "counter", "Blob bytes received from and sent to devices.");
            let _ = writeln!(out, "plumbline_blob_bytes_total{{direction=\"received\"}} {}", m.blob_bytes_in);
            let _ = writeln!(out, "plumbline_blob_bytes_total{{direction=\"sent\"}} {}", m.blob_bytes_out);
            header(&mut out, "plumbline_sign_ins_total", "counter", "Successful sign-ins.");
            let _ = writeln!(out, "plumbline_sign_ins_total {}", m.sign_ins);
            header(&mut out, "plumbline_sign_in_failures_total", "counter", "Refused sign-ins by reason.");
            for reason in ["bad_credentials", "rate_limited"] {
                let _ = writeln!(
                    out,
                    "plumbline_sign_in_failures_total{{reason=\"{reason}\"}} {}",
                    m.sign_in_failures.get(reason).copied().unwrap_or(0)
                );
            }
            header(&mut out, "plumbline_leases_total", "counter", "Lease requests of agents by outcome (granted, refused, renewed, lost, completed).");
            for outcome in ["granted", "refused", "renewed", "lost", "completed"] {
                let _ = writeln!(
                    out,
                    "plumbline_leases_total{{outcome=\"{outcome}\"}} {}",
                    m.leases.get(outcome).copied().unwrap_or(0)
                );
            }
        });
        header(
            &mut out,
            "plumbline_database_connections",
            "gauge",
            "The instance's database pool: open connections by state, and its maximum.",
        );
        let _ = writeln!(
            out,
            "plumbline_database_connections{{state=\"idle\"}} {}",
            pool.idle
        );
        let _ = writeln!(
            out,
            "plumbline_database_connections{{state=\"busy\"}} {}",
            pool.open.saturating_sub(pool.idle)
        );
        let _ = writeln!(
            out,
            "plumbline_database_connections{{state=\"max\"}} {}",
            pool.max
        );
        header(
            &mut out,
            "plumbline_ready",
            "gauge",
            "1 when the instance takes traffic (database answers, schema current, not stopping).",
        );
        let _ = writeln!(out, "plumbline_ready {}", u8::from(ready));
        if let Some(bytes) = resident_bytes() {
            header(
                &mut out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory of the server process.",
            );
            let _ = writeln!(out, "process_resident_memory_bytes {bytes}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The process's resident set, from /proc (Linux); None elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Linux on the platforms we ship uses 4 KiB pages.
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_counters_add_up() {
        let metrics = Metrics::default();
        for ms in [1, 7, 7, 400, 40_000] {
            metrics.request_started();
            metrics.request_finished("GET", "/api/v1/sync/pull", 200, Duration::from_millis(ms));
        }
        metrics.request_started();
        metrics.pushed(3, 1, 2);
        metrics.pulled(10, 250);
        let text = metrics.render(
            PoolState {
                open: 3,
                idle: 1,
                max: 16,
            },
            true,
        );
        let line = |prefix: &str| {
            text.lines()
                .find(|line| line.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
                .rsplit(' ')
                .next()
                .expect("a value")
                .to_owned()
        };
        assert_eq!(line("plumbline_http_requests_total{method=\"GET\",route=\"/api/v1/sync/pull\",status=\"200\"}"), "5");
        let bucket = |le: &str| {
            line(&format!(
                "plumbline_http_request_duration_seconds_bucket{{route=\"/api/v1/sync/pull\",le=\"{le}\"}}"
            ))
        };
        assert_eq!(bucket("0.005"), "1");
        assert_eq!(bucket("0.01"), "3");
        assert_eq!(bucket("0.5"), "4");
        assert_eq!(bucket("30"), "4");
        assert_eq!(bucket("+Inf"), "5");
        assert_eq!(line("plumbline_http_requests_in_flight"), "1");
        assert_eq!(
            line("plumbline_sync_pushed_operations_total{verdict=\"rejected\"}"),
            "2"
        );
        assert_eq!(
            line("plumbline_sync_pull_lag_operations_bucket{le=\"1000\"}"),
            "1"
        );
        assert_eq!(
            line("plumbline_sync_pull_lag_operations_bucket{le=\"100\"}"),
            "0"
        );
        assert_eq!(line("plumbline_database_connections{state=\"busy\"}"), "2");
        assert_eq!(line("plumbline_ready"), "1");
        // Every sample line is `name{labels} value` with a numeric value.
        for sample in text.lines().filter(|l| !l.starts_with('#')) {
            let value = sample.rsplit(' ').next().expect("value");
            assert!(value.parse::<f64>().is_ok(), "{sample}");
        }
    }
}
