//! Travelport JSON Air v11 ticketing workbench (in progress).

/// Placeholder until the Travelport client lands.
pub struct TravelportClient;
