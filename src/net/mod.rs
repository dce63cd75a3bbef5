//! Remote sides: one module per transport.

pub mod client;
pub mod proxy;
pub mod tcp;
pub mod tls;
pub mod udp;
pub mod ws;
