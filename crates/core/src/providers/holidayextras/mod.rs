//! Holiday Extras payment gateway (in progress).

/// Placeholder until the Holiday Extras client lands.
pub struct HolidayExtrasClient;
