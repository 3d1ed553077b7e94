//! Write transactions and the device's clock.
//!
//! Every transaction that may change a synced record begins here: [`Store::begin_write`]
//! (this device's own change), [`Store::begin_remote`] (another device's operation being
//! applied) or [`Store::begin_derived`] (state every device computes). Each sets the
//! transaction's clock row (`sync_clock`), which the synced tables' triggers read to
//! record local changes as operations in the same transaction — and without which they
//! refuse the change. So no write path can change a synced record without its operation:
//! the database itself says no.
//!
//! The clock is a hybrid logical clock (`uhlc`): physical time when it moves forward,
//! a logical step when it does not, and never behind any reading this device made or
//! received — also across restarts, as it starts from the newest reading in the database.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use plumbline_wire::Hlc;
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{Store, StoreError};

/// How far ahead of this device's clock another device's reading may be: laptops go
/// offline and their clocks drift, so minutes, not milliseconds.
pub const MAX_CLOCK_DRIFT: Duration = Duration::from_secs(10 * 60);

/// The device's hybrid logical clock.
pub struct Clock {
    hlc: uhlc::HLC,
    device: String,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl Clock {
    /// A clock for `device` (its id names its readings).
    pub fn new(device: &str) -> Self {
        let id = uuid::Uuid::parse_str(device)
            .ok()
            .and_then(|u| uhlc::ID::try_from(u.as_u128()).ok())
            .unwrap_or_else(uhlc::ID::rand);
        Self {
            hlc: uhlc::HLCBuilder::new()
                .with_id(id)
                .with_max_delta(MAX_CLOCK_DRIFT)
                .build(),
            device: device.to_owned(),
        }
    }

    /// A new reading, later than every reading before it; and its Unix milliseconds.
    pub fn now(&self) -> (String, i64) {
        let time = self.hlc.new_timestamp().get_time().as_u64();
        (Hlc::format(time, &self.device), Hlc::unix_millis(time))
    }

    /// Moves the clock past `reading` (a reading of this or another device). A reading
    /// further ahead than [`MAX_CLOCK_DRIFT`] is refused: that device's clock is wrong.
    pub fn observe(&self, reading: &str) -> Result<(), String> {
        let Some(time) = Hlc::parse_time(reading) else {
            return Err(format!("{reading:?} is not a clock reading"));
        };
        let stamp = uhlc::Timestamp::new(uhlc::NTP64(time), *self.hlc.get_id());
        self.hlc.update_with_timestamp(&stamp)
    }
}

/// Where a write comes from; it decides which changes become operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// This device's own change: recorded as operations.
    Local,
    /// Another device's operation, applied: not recorded again.
    Remote,
    /// What every device computes from synced records: not recorded.
    Derived,
}

impl Origin {
    fn code(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
            Self::Derived => "derived",
        }
    }
}

/// A write transaction with its clock set. Commit with [`WriteTx::commit`]; dropped
/// without it, everything (the clock included) rolls back.
pub struct WriteTx<'a> {
    tx: Transaction<'a, Sqlite>,
    hlc: String,
}

impl WriteTx<'_> {
    /// The clock reading of this transaction's changes.
    pub fn hlc(&self) -> &str {
        &self.hlc
    }

    /// Moves the transaction's clock to `hlc`: applying another device's operations,
    /// each is written at its own reading (registers record it).
    pub(crate) async fn set_hlc(&mut self, hlc: &str) -> Result<(), StoreError> {
        let millis = Hlc::parse_time(hlc)
            .map(Hlc::unix_millis)
            .unwrap_or_default();
        sqlx::query("UPDATE sync_clock SET hlc = ?, unix_ms = ? WHERE id = 1")
            .bind(hlc)
            .bind(millis)
            .execute(&mut *self.tx)
            .await?;
        hlc.clone_into(&mut self.hlc);
        Ok(())
    }

    /// Clears the clock and commits.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sync_clock")
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTx<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl Store {
    /// Begins this device's own write: changes of synced records become operations.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let (hlc, millis) = self.clock().now();
        self.begin_with_clock(Origin::Local, hlc, millis).await
    }

    /// Begins applying another device's operation read at `hlc`.
    pub(crate) async fn begin_remote(&self, hlc: &str) -> Result<WriteTx<'_>, StoreError> {
        let millis = Hlc::parse_time(hlc)
            .map(Hlc::unix_millis)
            .unwrap_or_default();
        self.begin_with_clock(Origin::Remote, hlc.to_owned(), millis)
            .await
    }

    /// Begins writing derived state.
    pub(crate) async fn begin_derived(&self) -> Result<WriteTx<'_>, StoreError> {
        let (hlc, millis) = self.clock().now();
        self.begin_with_clock(Origin::Derived, hlc, millis).await
    }

    async fn begin_with_clock(
        &self,
        origin: Origin,
        hlc: String,
        millis: i64,
    ) -> Result<WriteTx<'_>, StoreError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO sync_clock (id, hlc, unix_ms, origin) VALUES (1, ?, ?, ?)")
            .bind(&hlc)
            .bind(millis)
            .bind(origin.code())
            .execute(&mut *tx)
            .await?;
        Ok(WriteTx { tx, hlc })
    }

    /// The device's clock.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// Moves the clock past the newest reading the database holds (at open).
    pub(crate) async fn restore_clock(&self) -> Result<(), StoreError> {
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT MAX(h) FROM (
                 SELECT MAX(hlc) AS h FROM sync_ops
                 UNION ALL SELECT MAX(hlc) FROM sync_applied
                 UNION ALL SELECT MAX(hlc) FROM decisions)",
        )
        .fetch_one(self.pool())
        .await?;
        if let Some(newest) = newest {
            // A reading from the future (a clock that was wrong) is not taken over.
            if let Err(error) = self.clock.observe(&newest) {
                tracing::warn!(%error, "the newest clock reading in the database is ahead of this computer's clock");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_only_move_forward_and_follow_other_devices() {
        let clock = Clock::new("0190c6a1-0000-7000-8000-000000000001");
        let (first, _) = clock.now();
        let (second, millis) = clock.now();
        assert!(second > first);
        assert!(millis > 1_700_000_000_000, "Unix milliseconds: {millis}");
        assert!(second.ends_with("-0190c6a1-0000-7000-8000-000000000001"));
        // A reading a minute ahead from another device: the next local one is after it.
        let ahead = Hlc::from_unix_millis(millis + 60_000);
        let other = Hlc::format(ahead, "other");
        clock.observe(&other).expect("within the drift allowed");
        let (third, _) = clock.now();
        assert!(Hlc::parse_time(&third) > Hlc::parse_time(&other));
        // A day ahead is a wrong clock: refused.
        let wrong = Hlc::format(Hlc::from_unix_millis(millis + 86_400_000), "other");
        assert!(clock.observe(&wrong).is_err());
        assert!(clock.observe("garbage").is_err());
    }
}
