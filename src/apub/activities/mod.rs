//! Activities, one file per kind.
pub mod create;
