//! HeiPay hotel virtual terminal (in progress).

/// Placeholder until the HeiPay client lands.
pub struct HeiPayClient;
