//! Remote sides: one module per transport.

pub mod tcp;
pub mod udp;
pub mod ws;
