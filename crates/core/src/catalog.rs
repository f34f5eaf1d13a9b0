//! What the window offers to choose from, served by the core so it keeps no copy: the providers,
//! the statuses a history is filtered by, in the order a desk reads them. The window draws these
//! lists and translates each entry by its id.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::payment::{Provider, Status};

/// The lists the window draws its choices from (`app_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalog {
    /// Every provider, by id (`atrip` …), in the order the desk's menus list them.
    pub providers: Vec<&'static str>,
    /// The statuses a search can ask for: every status a stored payment can have (a `Draft`
    /// is never stored), the settled ones first.
    pub statuses: Vec<&'static str>,
    /// The currencies a set-up provider charges in, where it limits them (Holiday Extras by its
    /// API version, HeiPay pesos); a provider absent here charges in its order's own currency.
    pub currencies: BTreeMap<&'static str, Vec<&'static str>>,
}

/// The catalog with no provider set up (see `Engine::catalog` for the desk's own).
pub fn catalog() -> Catalog {
    Catalog {
        currencies: BTreeMap::new(),
        providers: Provider::ALL.iter().map(|p| p.as_str()).collect(),
        // The machine's order, with a payment still being sent last: it is seldom what a desk
        // looks for, and never for long.
        statuses: Status::ALL
            .iter()
            .filter(|s| !matches!(s, Status::Draft | Status::Submitting))
            .chain([&Status::Submitting])
            .map(|s| s.as_str())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_and_every_stored_status_is_offered_once() {
        let c = catalog();
        assert_eq!(c.providers.len(), Provider::ALL.len());
        let mut statuses = c.statuses.clone();
        statuses.sort();
        statuses.dedup();
        assert_eq!(statuses.len(), Status::ALL.len() - 1, "all but Draft, each once");
        assert!(!c.statuses.contains(&Status::Draft.as_str()));
        for s in &c.statuses {
            assert!(s.parse::<Status>().is_ok(), "{s}");
        }
    }
}
