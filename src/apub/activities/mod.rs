//! Activities, one file per kind: how each is built for sending. What an
//! incoming one means is decided in `apub::inbox`, which hands it to `service/`.
pub mod accept;
pub mod announce;
pub mod block;
pub mod create;
pub mod delete;
pub mod flag;
pub mod follow;
pub mod like;
pub mod undo;
pub mod update;
