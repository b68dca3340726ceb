//! Pictures: safe decoding and processing (`process`) and the storage backends
//! (`storage`). The rules (who may upload what, attaching, expiry) are in
//! `service::media`.
pub mod process;
pub mod storage;

pub use storage::Storage;
