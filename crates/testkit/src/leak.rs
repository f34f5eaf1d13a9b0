//! A history holding what the store never writes: timeline events stored exactly as given, card
//! data and all, for the tests of the checks that must find such data (the store redacts every
//! event it appends, so these go around it, straight into the table).
//!
//! The events are neither redacted nor sealed (each keeps the hash `TimelineEvent::next` gave
//! it): only a reader that does not verify seals, such as the card-data scans, sees them whole.

use rusqlite::params;
use zstd::bulk::Compressor;

use farepoint_core::payment::TimelineEvent;
use farepoint_core::store::{self, body_json, Store};

use crate::sample::{self, Generated};

/// The store's own dictionary (`store/codec.rs`), so the bodies read back as the store's do.
const DICTIONARY_V1: &[u8] = include_bytes!("../../core/src/store/exchanges.v1.zdict");

/// Stores `payments` like `sample::store_all`, but with each timeline as it stands in
/// `Generated::events`, unredacted and unsealed.
pub fn store_all(store: &Store, payments: &[Generated]) -> store::Result<()> {
    let payments = payments.to_vec();
    store.write_blocking(move |c| {
        let tx = c.transaction()?;
        let mut compressor = Compressor::with_dictionary(9, DICTIONARY_V1).map_err(unstored)?;
        for g in &payments {
            sample::insert_rows(&tx, g)?;
            let pid: i64 =
                tx.query_row("SELECT pid FROM payments WHERE id = ?1", [&g.payment.id], |r| r.get(0))?;
            for e in &g.events {
                insert_as_is(&tx, &mut compressor, pid, e)?;
            }
        }
        tx.commit()?;
        Ok(())
    })
}

fn insert_as_is(
    tx: &rusqlite::Transaction<'_>,
    compressor: &mut Compressor<'_>,
    pid: i64,
    e: &TimelineEvent,
) -> store::Result<()> {
    let body = compressor.compress(&body_json(e)).map_err(unstored)?;
    tx.execute(
        "INSERT INTO events (pid, seq, at_ms, body, hash, gseq)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(gseq), 0) + 1 FROM events))",
        params![pid, e.seq, e.at_ms, body, e.hash.as_slice()],
    )?;
    Ok(())
}

fn unstored(e: std::io::Error) -> store::StoreError {
    store::StoreError::Event(format!("could not compress an event: {e}"))
}
