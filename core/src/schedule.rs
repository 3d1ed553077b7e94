//! When tenants are captured from Graph: each tenant's cadence, retries with backoff after
//! a failed run, and parking after [`PARK_AFTER`] failures in a row. Pure: the store
//! gathers each tenant's [`ScheduleState`]; [`next_due`] says when it is due next, for
//! any clock.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Failed runs in a row after which a tenant is parked (and an alert raised).
pub const PARK_AFTER: u32 = 5;

/// The cadence of a tenant nobody set one for: daily.
pub const DEFAULT_CADENCE_MINUTES: i64 = 24 * 60;

/// The first retry after a failed run; each further failure doubles it, up to the cadence.
pub const FIRST_RETRY: Duration = Duration::minutes(5);

/// What the schedule of one tenant depends on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduleState {
    /// `None`: captured only when someone asks.
    pub cadence_minutes: Option<i64>,
    /// The newest capture from Graph of this tenant, from any device.
    pub last_capture_at: Option<DateTime<Utc>>,
    /// This device's last run (successful or not).
    pub last_run_at: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    pub parked: bool,
}

/// When the tenant is due next (a time in the past: due now); `None` when it is not
/// captured on schedule (no cadence, or parked).
pub fn next_due(state: &ScheduleState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let cadence = Duration::minutes(state.cadence_minutes.filter(|m| *m > 0)?);
    if state.parked {
        return None;
    }
    if state.consecutive_failures > 0 {
        let doublings = (state.consecutive_failures - 1).min(20);
        let backoff = FIRST_RETRY
            .checked_mul(2i32.saturating_pow(doublings))
            .unwrap_or(cadence)
            .min(cadence);
        return Some(state.last_run_at.unwrap_or(now) + backoff);
    }
    Some(state.last_capture_at.map(|at| at + cadence).unwrap_or(now))
}

/// True when the tenant should be captured now.
pub fn is_due(state: &ScheduleState, now: DateTime<Utc>) -> bool {
    next_due(state, now).is_some_and(|due| due <= now)
}

/// Reads `6h`, `30m`, `1d`, `90` (minutes) or `manual`/`0` (`None`).
pub fn parse_cadence(text: &str) -> Result<Option<i64>, String> {
    let text = text.trim().to_ascii_lowercase();
    if text == "manual" || text == "0" || text == "off" {
        return Ok(None);
    }
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a cadence: use 30m, 6h, 1d or manual"))?;
    let minutes = match unit.trim() {
        "" | "m" | "min" => n,
        "h" => n * 60,
        "d" => n * 24 * 60,
        _ => {
            return Err(format!(
                "{text:?} is not a cadence: use 30m, 6h, 1d or manual"
            ))
        }
    };
    if !(15..=7 * 24 * 60).contains(&minutes) {
        return Err(
            "a cadence is between 15 minutes (Intune's limits) and 7 days; use manual for none"
                .to_owned(),
        );
    }
    Ok(Some(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    fn state() -> ScheduleState {
        ScheduleState {
            cadence_minutes: Some(60),
            last_capture_at: Some(at("2026-12-01T10:00:00Z")),
            last_run_at: Some(at("2026-12-01T10:00:00Z")),
            consecutive_failures: 0,
            parked: false,
        }
    }

    #[test]
    fn a_tenant_is_due_a_cadence_after_its_newest_capture() {
        let s = state();
        assert_eq!(
            next_due(&s, at("2026-12-01T10:30:00Z")),
            Some(at("2026-12-01T11:00:00Z"))
        );
        assert!(!is_due(&s, at("2026-12-01T10:59:59Z")));
        assert!(is_due(&s, at("2026-12-01T11:00:00Z")));
        let never = ScheduleState {
            last_capture_at: None,
            last_run_at: None,
            ..s
        };
        assert!(is_due(&never, at("2026-12-01T10:00:00Z")));
    }

    #[test]
    fn failures_back_off_up_to_the_cadence_and_parking_stops_it() {
        let run = at("2026-12-01T12:00:00Z");
        let failing = |n| ScheduleState {
            consecutive_failures: n,
            last_run_at: Some(run),
            ..state()
        };
        assert_eq!(next_due(&failing(1), run), Some(run + Duration::minutes(5)));
        assert_eq!(
            next_due(&failing(2), run),
            Some(run + Duration::minutes(10))
        );
        assert_eq!(
            next_due(&failing(3), run),
            Some(run + Duration::minutes(20))
        );
        assert_eq!(
            next_due(&failing(4), run),
            Some(run + Duration::minutes(40))
        );
        assert_eq!(
            next_due(&failing(5), run),
            Some(run + Duration::minutes(60))
        );
        assert_eq!(
            next_due(&failing(30), run),
            Some(run + Duration::minutes(60))
        );
        let parked = ScheduleState {
            parked: true,
            ..failing(5)
        };
        assert_eq!(next_due(&parked, run + Duration::days(3)), None);
        let manual = ScheduleState {
            cadence_minutes: None,
            ..state()
        };
        assert_eq!(next_due(&manual, run), None);
    }

    #[test]
    fn cadences_read_as_people_write_them() {
        assert_eq!(parse_cadence("6h"), Ok(Some(360)));
        assert_eq!(parse_cadence("1d"), Ok(Some(1440)));
        assert_eq!(parse_cadence("90"), Ok(Some(90)));
        assert_eq!(parse_cadence("30m"), Ok(Some(30)));
        assert_eq!(parse_cadence("manual"), Ok(None));
        assert!(parse_cadence("5m").is_err());
        assert!(parse_cadence("2w").is_err());
        assert!(parse_cadence("soon").is_err());
    }
}
