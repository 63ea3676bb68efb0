//! Lines in the node's log, tagged by the host with this grain's identity.

use crate::bindings::granary::grain::host;
use crate::LogLevel;

pub fn debug(message: &str) {
    host::log(LogLevel::Debug, message)
}

pub fn info(message: &str) {
    host::log(LogLevel::Info, message)
}

pub fn warn(message: &str) {
    host::log(LogLevel::Warn, message)
}

pub fn error(message: &str) {
    host::log(LogLevel::Error, message)
}
