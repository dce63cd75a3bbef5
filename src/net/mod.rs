//! Remote sides: one file per transport.

pub mod tcp;
