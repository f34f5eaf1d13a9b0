//! farepoint-sandbox: a stateful, wire-faithful simulator of the four provider APIs.
//!
//! The simulator itself is built in its own issue; this crate exists so the workspace layout of
//! DESIGN.md §2 is complete from the start.
