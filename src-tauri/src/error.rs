//! The one error type every command returns: a code the UI can switch on and a message
//! a person can act on. The UI never parses messages.

use plumbline_core::portfolio::PortfolioError;
use plumbline_core::store::StoreError;
use serde::Serialize;
use specta::Type;

/// What kind of failure, for the UI to choose how to show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    Conflict,
    Database,
    Io,
    Internal,
}

/// An error as the UI receives it: `{ code, message }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::Invalid(_) => ErrorCode::InvalidInput,
            StoreError::Open { .. } => ErrorCode::Io,
            StoreError::NewerSchema { .. }
            | StoreError::Migrate(_)
            | StoreError::Sql(_)
            | StoreError::Corrupt(_) => ErrorCode::Database,
        };
        Self::new(code, error.to_string())
    }
}

impl From<PortfolioError> for CommandError {
    fn from(error: PortfolioError) -> Self {
        match error {
            PortfolioError::Store(store) => store.into(),
            other => Self::new(ErrorCode::Internal, other.to_string()),
        }
    }
}
