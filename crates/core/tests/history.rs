//! The history review (search, totals, export, verify, receipts) over a real SQLite file,
//! filled with payments shaped as the engine writes them (`farepoint_testkit::sample`).

use std::collections::HashSet;

use farepoint_core::history::BreakKind;
use farepoint_core::history::{self, ExportFormat, HistoryError, HistoryQuery, Page, Row, SummaryRange};
use farepoint_core::payment::{EventKind, Provider, Refund, RefundStatus, Status, TimelineEvent};
use farepoint_core::store::{self, Store};
use farepoint_testkit::sample::{self, Generated, Generator, Outcome};

const DAY: i64 = 86_400_000;
/// 2026-11-20T00:00:00Z.
const NOV_20: i64 = 1_795_132_800_000;

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    (dir, store)
}

fn put(store: &Store, payments: Vec<Generated>) -> Vec<Generated> {
    sample::store_all(store, &payments).unwrap();
    payments
}

fn one(
    gen: &mut Generator,
    provider: Provider,
    outcome: Outcome,
    at: i64,
    name: Option<(&str, &str)>,
) -> Generated {
    gen.payment(provider, outcome, at, name)
}

fn search(store: &Store, query: HistoryQuery) -> Result<Page, HistoryError> {
    store.read_blocking(move |c| Ok(history::search(c, &query))).unwrap()
}

fn text(t: &str) -> HistoryQuery {
    HistoryQuery { text: Some(t.into()), ..Default::default() }
}

fn ids(page: &Page) -> HashSet<String> {
    page.rows.iter().map(|r| r.id.clone()).collect()
}

/// The FTS index agrees with what it indexes (FTS5's own check against the content view).
fn assert_index_consistent(store: &Store) {
    store
        .write_blocking(|c| {
            c.execute("INSERT INTO payments_fts (payments_fts, rank) VALUES ('integrity-check', 1)", [])?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn names_match_with_or_without_accents_either_way() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(1);
    let stored = put(
        &store,
        vec![
            one(&mut gen, Provider::HeiPay, Outcome::Success, NOV_20, Some(("Lucía", "Muñoz"))),
            one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20 + 1, Some(("Pedro", "Munoz"))),
            one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20 + 2, Some(("Ana", "Martin"))),
        ],
    );
    let (lucia, pedro) = (stored[0].payment.id.clone(), stored[1].payment.id.clone());
    let both: HashSet<String> = [lucia.clone(), pedro.clone()].into();
    assert_eq!(ids(&search(&store, text("Muñoz")).unwrap()), both);
    assert_eq!(ids(&search(&store, text("munoz")).unwrap()), both);
    assert_eq!(ids(&search(&store, text("MUNOZ lucia")).unwrap()), HashSet::from([lucia.clone()]));
    assert_eq!(ids(&search(&store, text("Lucía  Muñoz")).unwrap()), HashSet::from([lucia]));
    // The last word is a prefix (search as you type); earlier words are whole.
    assert_eq!(ids(&search(&store, text("pedro mu")).unwrap()), HashSet::from([pedro]));
    assert!(search(&store, text("mu pedro")).unwrap().rows.is_empty());
    assert!(search(&store, text("nobody")).unwrap().rows.is_empty());
}

#[test]
fn tickets_orders_locators_references_and_vouchers_are_found_but_cards_are_not() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(2);
    let stored = put(
        &store,
        vec![
            one(&mut gen, Provider::Atrip, Outcome::Success, NOV_20, None),
            one(&mut gen, Provider::Travelport, Outcome::Success, NOV_20 + 1, None),
            one(&mut gen, Provider::HeiPay, Outcome::Success, NOV_20 + 2, None),
            one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20 + 3, None),
        ],
    );
    let only = |q: &str, g: &Generated| {
        let page = search(&store, text(q)).unwrap();
        assert_eq!(ids(&page), HashSet::from([g.payment.id.clone()]), "searching {q:?}");
    };
    let atrip = &stored[0];
    let ticket = &atrip.tickets[0].number;
    only(ticket, atrip);
    only(&history::ticket_number_display(ticket), atrip); // "176-2345678901", as printed
    only(&ticket[..8], atrip); // prefix while typing
    only(&atrip.payment.subject_key.to_lowercase(), atrip); // order number
    only(atrip.payment.subject.atrip().unwrap().pnr_code().unwrap(), atrip); // PNR
    let travelport = &stored[1];
    only(&travelport.payment.subject_key, travelport); // locator
    only(&travelport.tickets[0].number, travelport);
    let heipay = &stored[2];
    only(&heipay.payment.reference, heipay);
    let voucher = heipay.attempts[0].provider_ref.as_deref().unwrap();
    let voucher_id = voucher.split('/').rev().nth(1).unwrap();
    only(voucher_id, heipay);
    let hx = &stored[3];
    only(hx.attempts[0].provider_ref.as_deref().unwrap(), hx); // the HX paymentId
    only(&hx.payment.subject_key, hx);
    // The search result carries the printed ticket numbers and the masked card.
    let row = &search(&store, text(ticket)).unwrap().rows[0];
    assert_eq!(row.tickets[0], history::ticket_number_display(ticket));
    // Card data is not searchable.
    let last4 = heipay.payment.card.as_ref().unwrap().last4.clone();
    let exact: i64 = store
        .read_blocking(move |c| {
            Ok(c.query_row(
                "SELECT count(*) FROM payments_fts WHERE payments_fts MATCH ?1",
                [format!("\"{last4}\"")],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(exact, 0, "a card's last 4 is not a search term");
    for brand in ["visa", "mastercard", "amex"] {
        assert!(search(&store, text(brand)).unwrap().rows.is_empty(), "{brand}");
    }
    assert_index_consistent(&store);
}

#[test]
fn odd_input_is_quoted_never_an_fts_error() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(3);
    put(&store, vec![one(&mut gen, Provider::HeiPay, Outcome::Success, NOV_20, Some(("Ana", "O'Brien")))]);
    for q in ["\"", "AND", "OR NOT", "*", "a:b", "NEAR(x y)", "-", "((", "o'brien\"", "^ana", "col:ana"] {
        assert!(search(&store, text(q)).is_ok(), "{q:?} failed");
    }
    assert_eq!(search(&store, text("o'brien")).unwrap().rows.len(), 1);
    // Only punctuation or blank: no text filter at all.
    assert_eq!(history::search::fts_expression("  !!! -- "), None);
    assert_eq!(search(&store, text(" ¿? ")).unwrap().rows.len(), 1);
    assert_eq!(search(&store, text("")).unwrap().rows.len(), 1);
    assert_eq!(
        history::search::fts_expression("say \"hi\" AND"),
        Some("\"say\" \"\"\"hi\"\"\" \"AND\"*".into())
    );
}

/// Every page of `query` in turn.
fn all_pages(store: &Store, mut query: HistoryQuery) -> Vec<Row> {
    let mut rows = Vec::new();
    loop {
        let page = search(store, query.clone()).unwrap();
        assert!(page.rows.len() <= query.limit.unwrap_or(50) as usize);
        rows.extend(page.rows);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return rows,
        }
    }
}

#[test]
fn filters_combine_and_pages_have_no_duplicates_or_gaps() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(4);
    let mut payments: Vec<Generated> = (0..400).map(|i| gen.any(NOV_20 + (i / 3) * 60_000)).collect();
    // Same creation time, to prove the cursor's tie-break on id.
    for g in payments.iter_mut().take(20) {
        g.payment.created_at_ms = NOV_20 + 7;
    }
    let stored = put(&store, payments);

    let query = HistoryQuery {
        providers: Some(vec!["atrip".into(), "travelport".into()]),
        statuses: Some(vec!["Ticketed".into(), "declined".into()]),
        currency: Some("usd".into()),
        amount_min: Some("100".into()),
        amount_max: Some("2 000,00".into()),
        from_ms: Some(NOV_20 + 5),
        to_ms: Some(NOV_20 + 100 * 60_000),
        limit: Some(7),
        ..Default::default()
    };
    let mut expected: Vec<&Generated> = stored
        .iter()
        .filter(|g| {
            let p = &g.payment;
            matches!(p.provider, Provider::Atrip | Provider::Travelport)
                && matches!(p.status, Status::Ticketed | Status::Declined)
                && p.amount.currency.code() == "USD"
                && (10_000..=200_000).contains(&p.amount.minor)
                && (NOV_20 + 5..NOV_20 + 100 * 60_000).contains(&p.created_at_ms)
        })
        .collect();
    // Newest first; payments made in the same millisecond, the later stored first.
    let order: std::collections::HashMap<&str, usize> =
        stored.iter().enumerate().map(|(i, g)| (g.payment.id.as_str(), i)).collect();
    expected.sort_by_key(|g| std::cmp::Reverse((g.payment.created_at_ms, order[g.payment.id.as_str()])));
    assert!(expected.len() > 14, "the sample should give several pages, got {}", expected.len());
    let got = all_pages(&store, query);
    let got_ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    let want_ids: Vec<&str> = expected.iter().map(|g| g.payment.id.as_str()).collect();
    assert_eq!(got_ids, want_ids, "every match once, newest first");

    // Unfiltered paging over the ties as well.
    let everything = all_pages(&store, HistoryQuery { limit: Some(9), ..Default::default() });
    assert_eq!(everything.len(), 400);
    assert_eq!(everything.iter().map(|r| &r.id).collect::<HashSet<_>>().len(), 400);
    assert!(everything.windows(2).all(|w| (w[0].created_at_ms, w[0].pid) > (w[1].created_at_ms, w[1].pid)));
    // Paging a search by words (every reference starts "FP-"): most recently recorded first,
    // every match once, here with a filter too.
    let words =
        all_pages(&store, HistoryQuery { text: Some("fp".into()), limit: Some(9), ..Default::default() });
    assert_eq!(words.iter().map(|r| &r.id).collect::<HashSet<_>>().len(), 400);
    assert!(words.windows(2).all(|w| w[0].pid > w[1].pid));
    let atrip_words = all_pages(
        &store,
        HistoryQuery {
            text: Some("fp".into()),
            providers: Some(vec!["atrip".into()]),
            limit: Some(9),
            ..Default::default()
        },
    );
    let atrip_stored = stored.iter().filter(|g| g.payment.provider == Provider::Atrip).count();
    assert_eq!(atrip_words.iter().map(|r| &r.id).collect::<HashSet<_>>().len(), atrip_stored);
    assert!(atrip_words.iter().all(|r| r.provider == Provider::Atrip) && atrip_words.len() == atrip_stored);
    // A page's rows carry what the list shows.
    let row = &everything[0];
    let g = stored.iter().find(|g| g.payment.id == row.id).unwrap();
    assert_eq!(
        (row.amount, row.status, &row.customer),
        (g.payment.amount, g.payment.status, &g.payment.customer)
    );
    assert_eq!(row.card.as_ref().map(|c| &c.last4), g.payment.card.as_ref().map(|c| &c.last4));
}

#[test]
fn bad_queries_say_what_to_fix() {
    let (_dir, store) = temp_store();
    let message = |q: HistoryQuery| match search(&store, q) {
        Err(HistoryError::Invalid(m)) => m.english(),
        other => panic!("expected a bad-input error, got {other:?}"),
    };
    let m = message(HistoryQuery { from_ms: Some(10), to_ms: Some(5), ..Default::default() });
    assert!(m.contains("starts after it ends"), "{m}");
    let m = message(HistoryQuery { statuses: Some(vec!["Success".into()]), ..Default::default() });
    assert!(m.contains("unknown status 'Success'") && m.contains("NeedsReview"), "{m}");
    let m = message(HistoryQuery { providers: Some(vec!["paypal".into()]), ..Default::default() });
    assert!(m.contains("paypal") && m.contains("heipay"), "{m}");
    let m = message(HistoryQuery { currency: Some("EURO".into()), ..Default::default() });
    assert!(m.contains("EURO"), "{m}");
    let m = message(HistoryQuery { limit: Some(501), ..Default::default() });
    assert!(m.contains("1 to 500"), "{m}");
    // A typed bound is read by the core, and a wrong one names its field.
    let field = |q: HistoryQuery| match search(&store, q) {
        Err(HistoryError::Field { field, problem }) => (field, problem.english()),
        other => panic!("expected a field's error, got {other:?}"),
    };
    let gbp = |min: &str, max: &str| HistoryQuery {
        currency: Some("GBP".into()),
        amount_min: Some(min.into()),
        amount_max: Some(max.into()),
        ..Default::default()
    };
    let (f, m) = field(gbp("0.05", "0,01"));
    assert!(f == "amount_max" && m.contains("swap"), "{f}: {m}");
    let (f, m) = field(gbp("12.345", ""));
    assert!(f == "amount_min" && m.contains("12.345"), "{f}: {m}");
    let (f, m) = field(gbp("", "ten"));
    assert_eq!(f, "amount_max", "{m}");
    let (f, m) = field(HistoryQuery { amount_min: Some("5".into()), ..Default::default() });
    assert!(f == "amount_min" && m.contains("choose a currency"), "{f}: {m}");
    let m = message(HistoryQuery { after: Some("yesterday".into()), ..Default::default() });
    assert!(m.contains("first page"), "{m}");
    // A list's cursor in a search by words, and the other way round: refused, not misread.
    let m = message(HistoryQuery {
        text: Some("lucia".into()),
        after: Some("1795132800000:7".into()),
        ..Default::default()
    });
    assert!(m.contains("first page"), "{m}");
    let m = message(HistoryQuery { after: Some("w:7".into()), ..Default::default() });
    assert!(m.contains("first page"), "{m}");
    // Unknown fields are refused, not silently ignored.
    let e = serde_json::from_str::<HistoryQuery>(r#"{"txt": "x"}"#).unwrap_err();
    assert!(e.to_string().contains("txt"));
}

/// Records refunds of `payment`: (seq, amount in minor units, state) each.
fn refund(store: &Store, payment: &farepoint_core::payment::Payment, refunds: &[(i64, i64, RefundStatus)]) {
    let refunds: Vec<Refund> = refunds
        .iter()
        .map(|&(seq, minor, status)| Refund {
            id: format!("{}-r{seq}", payment.id),
            payment_id: payment.id.clone(),
            seq,
            amount: farepoint_core::money::Money::from_minor(minor, payment.amount.currency),
            status,
            provider_ref: None,
            note: None,
            created_at_ms: payment.created_at_ms,
            updated_at_ms: payment.created_at_ms,
            agent: None,
        })
        .collect();
    store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            for r in &refunds {
                store::insert_refund(&tx, r)?;
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn totals_per_local_day_provider_and_currency() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(5);
    let h = 3_600_000;
    let mut make = |provider, outcome, at| one(&mut gen, provider, outcome, at, None);
    let stored = put(
        &store,
        vec![
            // 23:30 UTC on the 20th is 01:30 on the 21st at UTC+2.
            make(Provider::Atrip, Outcome::Success, NOV_20 + 23 * h + 30 * 60_000),
            make(Provider::Atrip, Outcome::TicketingFailed, NOV_20 + 10 * h),
            make(Provider::Atrip, Outcome::Declined, NOV_20 + 11 * h),
            make(Provider::HolidayExtras, Outcome::Success, NOV_20 + 12 * h),
            make(Provider::HolidayExtras, Outcome::Refunded, NOV_20 + 13 * h),
            make(Provider::HeiPay, Outcome::NeedsReview, NOV_20 + 14 * h),
            make(Provider::Atrip, Outcome::Success, NOV_20 + 3 * DAY), // outside the range
        ],
    );
    // The paid Holiday Extras payment is refunded in part (1.00), and a further 0.50 is unclear.
    let part_paid = &stored[3].payment;
    refund(&store, part_paid, &[(1, 100, RefundStatus::Refunded), (2, 50, RefundStatus::Unclear)]);
    let range = SummaryRange { from_ms: NOV_20 - 2 * h, to_ms: NOV_20 + 2 * DAY, utc_offset_minutes: 120 };
    let s = store.read_blocking(move |c| Ok(history::summary(c, &range))).unwrap().unwrap();
    let amount = |i: usize| stored[i].payment.amount;
    let kept = |i: usize| if i == 3 { amount(i).minor - 100 } else { amount(i).minor };
    let day = |d: &str, p: Provider| {
        s.days
            .iter()
            .filter(|t| t.day == d && t.provider == p)
            .map(|t| (t.count, t.total_minor))
            .collect::<Vec<_>>()
    };
    // The ticketed payment falls on the 21st locally, the ticketing-failed one (charged) on the 20th.
    let atrip_20: Vec<_> = day("2026-11-20", Provider::Atrip);
    let atrip_21: Vec<_> = day("2026-11-21", Provider::Atrip);
    // (Per day, provider and currency: whatever currencies the generator drew, the 20th holds
    // only the ticketing-failed payment.)
    assert_eq!(atrip_20, vec![(1, amount(1).minor)], "{:?}", s.days);
    assert!(atrip_21.contains(&(1, amount(0).minor)), "{:?}", s.days);
    assert_eq!(
        day("2026-11-20", Provider::HolidayExtras),
        vec![(1, kept(3))],
        "refunded is not takings: a full refund leaves nothing, a part refund what was kept"
    );
    assert!(day("2026-11-20", Provider::HeiPay).is_empty(), "under review is not money taken");
    let taken: i64 = s.totals.iter().map(|t| t.count as i64).sum();
    assert_eq!(taken, 3);
    let total_of = |cur: &str| s.totals.iter().find(|t| t.currency.code() == cur).map(|t| t.total_minor);
    // Takings per currency: the two charged ATRIP payments and the paid Holiday Extras one.
    let mut expected: Vec<(&str, i64)> = Vec::new();
    for i in [0, 1, 3] {
        let code = amount(i).currency.code();
        match expected.iter_mut().find(|(c, _)| *c == code) {
            Some((_, sum)) => *sum += kept(i),
            None => expected.push((code, kept(i))),
        }
    }
    assert_eq!(s.totals.len(), expected.len(), "{:?}", s.totals);
    for (code, sum) in expected {
        assert_eq!(total_of(code), Some(sum), "{code}");
    }
    // What went back is the full refund and the part one, per currency; the unclear 0.50 is
    // called out, not counted.
    let mut back: Vec<(&str, u64, i64)> = Vec::new();
    for (i, minor) in [(4, amount(4).minor), (3, 100)] {
        let code = amount(i).currency.code();
        match back.iter_mut().find(|(c, _, _)| *c == code) {
            Some((_, n, sum)) => (*n, *sum) = (*n + 1, *sum + minor),
            None => back.push((code, 1, minor)),
        }
    }
    back.sort();
    let got: Vec<_> = s.refunded.iter().map(|r| (r.currency.code(), r.count, r.total_minor)).collect();
    assert_eq!(got, back);
    assert_eq!(s.unclear_refunds, 1);
    // …and the payment with the unclear refund is one search away.
    let unclear = HistoryQuery { refunds: Some(vec!["Unclear".into()]), ..Default::default() };
    let found = search(&store, unclear).unwrap();
    assert_eq!(ids(&found), HashSet::from([stored[3].payment.id.clone()]));
    let bad = HistoryQuery { refunds: Some(vec!["Maybe".into()]), ..Default::default() };
    assert!(search(&store, bad).unwrap_err().to_string().contains("is not a refund state"));
    let count = |st: Status| s.by_status.iter().find(|c| c.status == st).map(|c| c.count);
    assert_eq!(count(Status::NeedsReview), Some(1));
    assert_eq!(count(Status::Unknown), Some(0), "always listed, to call it out");
    assert_eq!(count(Status::Declined), Some(1));
    assert_eq!(count(Status::Refunded), Some(1));
    assert_eq!(count(Status::Submitting), None);

    // The same range seen from UTC−5 puts the late payment on the 20th.
    let range = SummaryRange { utc_offset_minutes: -300, ..range };
    let s = store.read_blocking(move |c| Ok(history::summary(c, &range))).unwrap().unwrap();
    assert!(s.days.iter().all(|t| t.day != "2026-11-21" || t.provider != Provider::Atrip), "{:?}", s.days);

    let bad = SummaryRange { from_ms: NOV_20, to_ms: NOV_20 - 1, utc_offset_minutes: 0 };
    let e = store.read_blocking(move |c| Ok(history::summary(c, &bad))).unwrap().unwrap_err();
    assert!(e.to_string().contains("starts after it ends"));
}

/// The summary reads refunds by the range's lowest and highest pid, not the whole history's: a
/// payment recorded between two of the range's but dated outside it (the clock was set back)
/// keeps its refunds out, and those of the range's first and last payments are in.
#[test]
fn refunds_count_with_their_own_payments_range_whatever_order_payments_were_recorded_in() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(11);
    let h = 3_600_000;
    let mut paid = |at| one(&mut gen, Provider::HolidayExtras, Outcome::Success, at, None);
    // In the order recorded: before the range, first of it, dated ten days back, last of it, after it.
    let stored = put(
        &store,
        vec![
            paid(NOV_20 - 2 * DAY),
            paid(NOV_20 + h),
            paid(NOV_20 - 10 * DAY),
            paid(NOV_20 + 20 * h),
            paid(NOV_20 + 2 * DAY),
        ],
    );
    for (i, g) in stored.iter().enumerate() {
        refund(
            &store,
            &g.payment,
            &[(1, 10 + i as i64, RefundStatus::Refunded), (2, 1, RefundStatus::Unclear)],
        );
    }
    let range = SummaryRange { from_ms: NOV_20, to_ms: NOV_20 + DAY, utc_offset_minutes: 0 };
    let s = store.read_blocking(move |c| Ok(history::summary(c, &range))).unwrap().unwrap();
    let currency = |i: usize| stored[i].payment.amount.currency;
    let mut back: Vec<_> = [1, 3].iter().map(|&i| (currency(i), 10 + i as i64)).collect();
    back.sort_by_key(|(c, _)| c.code());
    let mut expected: Vec<(farepoint_core::money::Currency, u64, i64)> = Vec::new();
    for (c, minor) in back {
        match expected.last_mut() {
            Some((last, n, sum)) if *last == c => (*n, *sum) = (*n + 1, *sum + minor),
            _ => expected.push((c, 1, minor)),
        }
    }
    let got: Vec<_> = s.refunded.iter().map(|r| (r.currency, r.count, r.total_minor)).collect();
    assert_eq!(got, expected, "only the refunds of the range's own two payments");
    assert_eq!(s.unclear_refunds, 2);
    let taken: i64 = s.totals.iter().map(|t| t.total_minor).sum();
    let kept: i64 = [1, 3].iter().map(|&i| stored[i].payment.amount.minor - (10 + i as i64)).sum();
    assert_eq!(taken, kept, "{:?}", s.totals);
    // A range without payments reads no refunds at all.
    let empty = SummaryRange { from_ms: NOV_20 - 5 * DAY, to_ms: NOV_20 - 4 * DAY, utc_offset_minutes: 0 };
    let s = store.read_blocking(move |c| Ok(history::summary(c, &empty))).unwrap().unwrap();
    assert!(s.refunded.is_empty() && s.unclear_refunds == 0 && s.days.is_empty(), "{s:?}");
}

/// On a history that has statistics (here `ANALYZE`'s), the summary still reads its range from
/// the covering index alone and its refunds by pid, for any range (docs/testing.md §6).
#[test]
fn the_summary_keeps_its_plan_on_an_analysed_history() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(12);
    put(&store, (0..400).map(|i| gen.any(NOV_20 - 60 * DAY + i * 3 * 3_600_000)).collect());
    store.write_blocking(|c| Ok(c.execute_batch("ANALYZE")?)).unwrap();
    let plans = store
        .read_blocking(|c| {
            let plan = |sql: &str, params: &[i64]| -> rusqlite::Result<String> {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?.join(" / "))
            };
            let mut plans = HashSet::new();
            for days in [1, 7, 30, 90] {
                for end in (0..60).step_by(5) {
                    let (from, to) = (NOV_20 - (end + days) * DAY, NOV_20 - end * DAY);
                    plans.insert(plan(history::summary::SUMMARY_SQL, &[from, to])?);
                    plans.insert(plan(history::summary::REFUNDS_SQL, &[from, to, 1, 400])?);
                }
            }
            Ok(plans)
        })
        .unwrap();
    let mut plans: Vec<_> = plans.into_iter().collect();
    plans.sort();
    assert_eq!(
        plans,
        [
            "CO-ROUTINE r / SEARCH refunds USING INDEX sqlite_autoindex_refunds_2 (pid>? AND pid<?) / SCAN r / \
             SEARCH p USING INTEGER PRIMARY KEY (rowid=?)",
            "SEARCH payments USING COVERING INDEX payments_totals (created_at_ms>? AND created_at_ms<?)",
        ]
    );
}

/// Splits RFC 4180 text into records of fields (quoted fields may hold commas, quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "a bare CR outside quotes");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF outside quotes: lines must end with CRLF"),
            (false, c) => field.push(c),
        }
    }
    assert!(record.is_empty() && field.is_empty(), "the last line must end with CRLF");
    records
}

fn export_bytes(
    store: &Store,
    query: HistoryQuery,
    format: ExportFormat,
) -> (Vec<u8>, Vec<history::Progress>) {
    store
        .read_blocking(move |c| {
            let mut out = Vec::new();
            let mut seen = Vec::new();
            history::export(c, &query, format, &mut out, &mut |p| seen.push(p)).unwrap();
            Ok((out, seen))
        })
        .unwrap()
}

#[test]
fn csv_is_rfc_4180_with_exact_amounts_and_no_formulas() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(6);
    let mut tricky = one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20, None);
    tricky.payment.customer = "Muñoz, \"Lucha\"\r\nLine two".into();
    let mut formula = one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20 + 1, None);
    formula.payment.customer = "=HYPERLINK(\"http://x\",\"y\")".into();
    let mut minus = one(&mut gen, Provider::HolidayExtras, Outcome::Success, NOV_20 + 2, None);
    minus.payment.customer = "-2+3".into();
    let mut ticketed = one(&mut gen, Provider::Atrip, Outcome::Success, NOV_20 + 3, None);
    // ATRIP stated its fee in the order's currency and the airline's price in another.
    let farepoint_core::subject::Subject::Atrip(stated) = &mut ticketed.payment.subject else {
        panic!("an ATRIP payment has an ATRIP subject");
    };
    let money = |minor, code: &str| farepoint_core::money::Money::from_minor(minor, code.parse().unwrap());
    stated.transaction_fee = Some(Some(money(500, "NOK")));
    stated.airline_amount = Some(Some(money(127_690, "EUR")));
    stated.card_charged = Some(Some(money(131_520, "EUR")));
    let stored = put(&store, vec![tricky, formula, minus, ticketed]);

    let (bytes, progress) = export_bytes(&store, HistoryQuery::default(), ExportFormat::Csv);
    let text = String::from_utf8(bytes).expect("UTF-8");
    let records = parse_csv(&text);
    assert_eq!(records[0], history::export::CSV_HEADER);
    assert_eq!(records.len(), 5);
    assert!(records.iter().all(|r| r.len() == records[0].len()));
    let col = |name: &str| records[0].iter().position(|h| h == name).unwrap();
    let by_ref = |reference: &str| records.iter().find(|r| r[col("reference")] == reference).unwrap();

    let r = by_ref(&stored[0].payment.reference);
    assert_eq!(r[col("customer")], "Muñoz, \"Lucha\"\r\nLine two", "escaped and read back intact");
    assert_eq!(r[col("amount")], stored[0].payment.amount.to_major_string());
    assert_eq!(r[col("currency")], stored[0].payment.amount.currency.code());
    assert_eq!(r[col("status")], "Paid");
    assert_eq!(r[col("created_at_utc")], "2026-11-20T00:00:00.000Z");
    assert_eq!(by_ref(&stored[1].payment.reference)[col("customer")], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(by_ref(&stored[2].payment.reference)[col("customer")], "'-2+3");
    let t = by_ref(&stored[3].payment.reference);
    let printed: Vec<String> =
        stored[3].tickets.iter().map(|t| history::ticket_number_display(&t.number)).collect();
    assert_eq!(t[col("tickets")], printed.join(" "));
    assert_eq!(t[col("status")], "Ticketed");
    assert_eq!(
        (t[col("service_fee")].as_str(), t[col("airline_price")].as_str()),
        ("5.00 NOK", "1276.90 EUR")
    );
    assert_eq!(r[col("service_fee")], "", "Holiday Extras states no fee");
    let (json, _) = export_bytes(&store, HistoryQuery::default(), ExportFormat::Json);
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let atrip = json.as_array().unwrap().iter().find(|r| r["provider"] == "atrip").unwrap();
    assert_eq!(atrip["service_fee"], serde_json::json!({ "minor": 500, "currency": "NOK" }));
    assert_eq!(atrip["airline_price"], serde_json::json!({ "minor": 127_690, "currency": "EUR" }));
    assert_eq!(atrip["card_charged"], serde_json::json!({ "minor": 131_520, "currency": "EUR" }));
    // Every row's card cell: masked when the payment had a card, empty when it had none.
    for p in &stored {
        let cell = &by_ref(&p.payment.reference)[col("card")];
        match &p.payment.card {
            Some(card) => assert!(cell.ends_with(&format!("•••• {}", card.last4)), "{cell}"),
            None => assert!(cell.is_empty(), "{cell}"),
        }
    }
    // The raw text: fields with specials are quoted, quotes doubled.
    assert!(text.contains("\"Muñoz, \"\"Lucha\"\"\r\nLine two\""));
    assert_eq!(progress.last(), Some(&history::Progress { done: 4, total: 4 }));
}

#[test]
fn json_export_is_one_valid_array_of_the_search_rows() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(7);
    put(&store, (0..60).map(|i| gen.any(NOV_20 + i * 1000)).collect());
    let query = HistoryQuery { providers: Some(vec!["atrip".into()]), ..Default::default() };
    let (bytes, _) = export_bytes(&store, query.clone(), ExportFormat::Json);
    let rows: Vec<Row> = serde_json::from_slice(&bytes).expect("valid JSON");
    // The database's own key is not exported.
    assert!(!String::from_utf8_lossy(&bytes).contains("\"pid\""));
    let listed: Vec<Row> = all_pages(&store, query).into_iter().map(|r| Row { pid: 0, ..r }).collect();
    assert!(!rows.is_empty());
    assert_eq!(rows, listed);
    let (empty, _) = export_bytes(&store, text("nobody-at-all"), ExportFormat::Json);
    assert_eq!(serde_json::from_slice::<Vec<Row>>(&empty).unwrap(), vec![]);
}

#[test]
fn export_to_a_file_appears_whole_or_not_at_all() {
    let (dir, store) = temp_store();
    let mut gen = Generator::new(8);
    put(&store, (0..10).map(|i| gen.any(NOV_20 + i)).collect());
    let conn = history::open_reader(store.path()).unwrap();
    let (path, rows) = history::export::export_into_dir(
        &conn,
        &HistoryQuery::default(),
        ExportFormat::Csv,
        &dir.path().join("exports"),
        NOV_20 + 14 * 3_600_000 + 3 * 60_000 + 7_000,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(rows, 10);
    assert_eq!(path.file_name().unwrap(), "farepoint-payments-20261120-140307.csv");
    let names: Vec<_> =
        std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    // A failing export (bad query) leaves nothing behind.
    let bad = HistoryQuery { statuses: Some(vec!["nope".into()]), ..Default::default() };
    let target = dir.path().join("exports/bad.csv");
    assert!(history::export_to_file(&conn, &bad, ExportFormat::Csv, &target, &mut |_| {}).is_err());
    assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn the_index_follows_the_engine_writes() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(9);
    let stored = put(&store, vec![one(&mut gen, Provider::Atrip, Outcome::Ticketing, NOV_20, None)]);
    let id = stored[0].payment.id.clone();
    let attempt = stored[0].attempts[0].clone();
    // Tickets arrive on a later poll, and the same ticket is seen again (INSERT OR IGNORE).
    store
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            let ticket = farepoint_core::payment::Ticket {
                number: "1769990001112".into(),
                passenger: "ZÚÑIGA/ÍÑIGO".into(),
                kind: farepoint_core::payment::TicketKind::Ticket,
                issued_at_ms: NOV_20 + 5,
            };
            assert!(store::insert_ticket(&tx, &id, &ticket)?);
            assert!(!store::insert_ticket(&tx, &id, &ticket)?);
            let mut a = attempt;
            a.provider_ref = Some("REF-NEW-777".into());
            store::update_attempt(&tx, &a)?;
            a.status = Status::Ticketed;
            store::update_attempt(&tx, &a)?; // same reference: no index churn, still consistent
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    assert_index_consistent(&store);
    assert_eq!(search(&store, text("176-9990001112")).unwrap().rows.len(), 1);
    assert_eq!(search(&store, text("zuniga inigo")).unwrap().rows.len(), 1);
    assert_eq!(search(&store, text("REF-NEW-777")).unwrap().rows.len(), 1);
    assert!(search(&store, text(&stored[0].payment.subject_key)).unwrap().rows.len() == 1);
}

fn verify(store: &Store) -> history::VerifyReport {
    store.read_blocking(|c| Ok(history::verify(c, None, &mut |_| {}))).unwrap().unwrap()
}

/// What a timeline says, without its seals and places: the same before and after sealing.
type Said = (i64, i64, EventKind, Option<Status>, Option<Status>, String, serde_json::Value);
fn said(events: &[TimelineEvent]) -> Vec<Said> {
    events
        .iter()
        .map(|e| (e.seq, e.at_ms, e.kind, e.status_before, e.status_after, e.message.clone(), e.data.clone()))
        .collect()
}

/// A generated timeline hashed as histories before v7 chained it (plain SHA-256).
fn unsealed_chain(events: &[TimelineEvent]) -> Vec<TimelineEvent> {
    let mut out: Vec<TimelineEvent> = Vec::new();
    for e in events {
        let mut e = e.clone();
        e.prev_hash = out.last().map_or([0; 32], |p| p.hash);
        e.hash = e.unsealed_hash();
        out.push(e);
    }
    out
}

/// A timeline an upgrade sealed: what it said before, then the note that it was sealed.
fn assert_sealed_on_upgrade(events: &[TimelineEvent], before: &[TimelineEvent]) {
    let (last, earlier) = events.split_last().expect("a sealed timeline");
    assert_eq!(said(earlier), said(before));
    assert_eq!(last.kind, EventKind::Note);
    assert!(last.message.starts_with("History sealed with this desk's key"), "{}", last.message);
    assert_eq!(last.data["sealed"]["held"], true);
}

#[test]
fn verify_passes_a_clean_history_and_reports_each_kind_of_tampering() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(10);
    let stored = put(&store, (0..30).map(|i| gen.any(NOV_20 + i * 1000)).collect());
    let clean = verify(&store);
    assert_eq!((clean.checked, clean.broken.len()), (30, 0), "{:?}", clean.broken);
    for g in &stored {
        let id = g.payment.id.clone();
        store.read_blocking(move |c| store::verify_payment_events(c, &id)).unwrap();
    }

    // The schema's triggers refuse edits; someone with the file drops them first.
    let (a, b, c) =
        (stored[3].payment.id.clone(), stored[7].payment.id.clone(), stored[11].payment.id.clone());
    let (a2, b2, c2) = (a.clone(), b.clone(), c.clone());
    let a3 = a.clone();
    let refused = store.write_blocking(move |conn| {
        conn.execute(
            "UPDATE events SET at_ms = 0 WHERE pid = (SELECT pid FROM payments WHERE id = ?1)",
            [&a3],
        )?;
        Ok(())
    });
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    store
        .write_blocking(move |conn| {
            conn.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;")?;
            // Event 2's message and data swapped for event 1's (a body is compressed, not text).
            conn.execute(
                "UPDATE events SET body = (SELECT body FROM events e WHERE e.pid = events.pid AND e.seq = 1) \
                 WHERE pid = (SELECT pid FROM payments WHERE id = ?1) AND seq = 2",
                [&a2],
            )?;
            conn.execute(
                "DELETE FROM events WHERE pid = (SELECT pid FROM payments WHERE id = ?1) AND seq = 2",
                [&b2],
            )?;
            conn.execute(
                "UPDATE payments SET status = 'Refunded' WHERE id = ?1 AND status != 'Refunded'",
                [&c2],
            )?;
            Ok(())
        })
        .unwrap();
    let report = verify(&store);
    assert_eq!(report.checked, 30);
    let find = |id: &str| {
        report
            .broken
            .iter()
            .find(|b| b.payment_id == id)
            .unwrap_or_else(|| panic!("{id} not reported: {:?}", report.broken))
    };
    let altered = find(&a);
    assert_eq!(altered.seq, 2);
    assert!(altered.problem.contains("altered"), "{}", altered.problem);
    assert_eq!(altered.reference, stored[3].payment.reference);
    let removed = find(&b);
    assert_eq!(removed.seq, 3);
    assert!(removed.problem.contains("does not follow"), "{}", removed.problem);
    let status = find(&c);
    assert!(status.problem.contains("status was edited"), "{}", status.problem);
    // The removed event also left a hole in the history's places.
    let hole = report.broken.iter().find(|b| b.kind == BreakKind::Deleted).expect("the hole is reported");
    assert!(hole.payment_id.is_empty() && hole.problem.contains("was deleted"), "{}", hole.problem);
    assert_eq!(report.broken.len(), 4);
}

#[test]
fn a_receipt_has_what_the_printout_needs() {
    use farepoint_core::business::Business;
    use farepoint_core::history::receipt::{Issuing, Locale, ReceiptRequest};
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(11);
    let mut stored = Vec::new();
    // A card-paid ATRIP order (VCC or MoR) with tickets.
    for i in 0..40 {
        let g = one(&mut gen, Provider::Atrip, Outcome::Success, NOV_20 + i, Some(("Lucía", "Muñoz")));
        if g.payment.card.is_some() {
            stored = put(&store, vec![g]);
            break;
        }
    }
    let g = &stored[0];
    let id = g.payment.id.clone();
    let issue = |id: String| {
        move |c: &mut history::Connection| {
            let business = Business { name: "Agencia Norte".into(), ..Business::default() };
            let request = ReceiptRequest { locale: Locale::En, utc_offset_minutes: 0 };
            Ok(history::receipt(
                c,
                &id,
                &Issuing { business: &business, hotels: &[], request, now_ms: NOV_20 },
            ))
        }
    };
    let r = store.read_blocking(issue(id)).unwrap().unwrap();
    let fact = |key: &str| r.facts.iter().find(|l| l.key == key).map(|l| l.value.clone()).unwrap_or_default();
    assert_eq!(r.reference, g.payment.reference);
    assert_eq!(fact("reference"), g.payment.reference);
    assert_eq!(fact("provider"), "ATRIP");
    assert_eq!(r.status, Status::Ticketed);
    assert_eq!(r.amount, g.payment.amount);
    assert_eq!(r.amount_text, Locale::En.money(g.payment.amount));
    let card = g.payment.card.as_ref().unwrap();
    assert_eq!(fact("card"), format!("{} •••• {}", card.brand.display_name(), card.last4));
    assert_eq!(fact("holder"), "LUCÍA MUÑOZ");
    assert_eq!(fact("customer"), g.payment.customer);
    // ATRIP's order, which its answer names, is the provider's reference.
    assert_eq!(fact("provider-reference"), g.payment.subject_key);
    assert!(r.paid_for.iter().any(|l| l.key == "pnr"));
    assert_eq!(r.issuer.as_ref().map(|i| i.name.as_str()), Some("Agencia Norte"));
    let tickets = &r.tickets.as_ref().expect("the tickets are listed").rows;
    assert_eq!(tickets.len(), g.tickets.len());
    let mut printed: Vec<String> = tickets.iter().map(|t| format!("{} {}", t[0], t[1])).collect();
    let mut stored_tickets: Vec<String> = g
        .tickets
        .iter()
        .map(|t| format!("{} {}", history::ticket_number_display(&t.number), t.passenger))
        .collect();
    printed.sort();
    stored_tickets.sort();
    assert_eq!(printed, stored_tickets);
    // Where it stands, in a customer's words; the attempt count and the last timeline sentence
    // were internal lines and are gone (issue 15), as is the card's expiry.
    assert_eq!(r.status_text, "Paid — tickets issued");
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("cardNumber"), "no raw provider data on a receipt");
    assert!(!json.contains("attempts") && !json.contains("last_message"), "{json}");
    let expiry = format!("{:02}/{:02}", card.expiry_month, card.expiry_year % 100);
    assert!(!json.contains(&expiry) && !json.contains("expiry"), "the expiry is on the receipt: {json}");
    let missing = store.read_blocking(issue("no-such-id".into())).unwrap();
    assert!(missing.unwrap_err().to_string().contains("no payment with id no-such-id"));
}

/// Every row of the four tables, as text, for comparing two databases.
fn dump(store: &Store) -> Vec<String> {
    store
        .read_blocking(|c| {
            let mut rows = Vec::new();
            // A refund's own id and note are its writer's (an upgrade from v5 names them anew);
            // what it is — which payment, how much, how it ended — is compared.
            for (table, columns) in [
                ("payments", "*"),
                ("attempts", "*"),
                ("tickets", "*"),
                ("refunds", "pid, seq, amount_minor, status, provider_ref, created_at_ms"),
                ("events", "*"),
            ] {
                let mut stmt = c.prepare(&format!("SELECT {columns} FROM {table} ORDER BY 1, 2"))?;
                let n = stmt.column_count();
                let mut q = stmt.query([])?;
                while let Some(r) = q.next()? {
                    let cells: Vec<String> = (0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect();
                    rows.push(format!("{table}: {}", cells.join(" | ")));
                }
            }
            Ok(rows)
        })
        .unwrap()
}

#[test]
fn sample_rows_are_the_rows_the_store_functions_write() {
    let mut gen = Generator::new(12);
    let payments: Vec<Generated> = (0..40).map(|i| gen.any(NOV_20 + i * 1000)).collect();
    let (_a, bulk) = temp_store();
    put(&bulk, payments.clone());
    let (_b, engine) = temp_store();
    engine
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            for g in &payments {
                store::insert_payment(&tx, &g.payment)?;
                for a in &g.attempts {
                    store::insert_attempt(&tx, a)?;
                }
                for t in &g.tickets {
                    store::insert_ticket(&tx, &g.payment.id, t)?;
                }
                for r in &g.refunds {
                    store::insert_refund(&tx, r)?;
                }
                for e in &g.events {
                    // The store seals it itself: the same chain must come out.
                    let sealed = store::append_event(&tx, &g.payment.id, e.content())?;
                    assert_eq!(said(&[sealed]), said(std::slice::from_ref(e)));
                }
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    let (x, y) = (dump(&bulk), dump(&engine));
    assert!(x.len() > 300, "{}", x.len());
    assert_eq!(x, y);
    assert_eq!(verify(&bulk).broken, vec![]);
}

/// A database left at schema v2 by an earlier version (timeline in a WITHOUT ROWID table keyed
/// by payment id, `prev_hash` stored, data as JSON text), written as that version wrote it.
fn v2_database(dir: &std::path::Path, payments: &[Generated]) -> std::path::PathBuf {
    use rusqlite::params;
    let path = dir.join(store::DB_FILE);
    let mut c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "foreign_keys", true).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    c.execute_batch(include_str!("../src/store/001_initial.sql")).unwrap();
    c.execute_batch(include_str!("../src/store/002_history.sql")).unwrap();
    // What rusqlite_migration records after its second step.
    c.pragma_update(None, "user_version", 2).unwrap();
    let tx = c.transaction().unwrap();
    for g in payments {
        let (p, card) = (&g.payment, g.payment.card.as_ref());
        tx.execute(
            "INSERT INTO payments (id, reference, provider, profile, status, amount_minor, currency, customer, \
             subject, card_brand, card_last4, card_holder, card_expiry_month, card_expiry_year, created_at_ms, \
             updated_at_ms, subject_key) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
            params![
                p.id,
                p.reference,
                p.provider.as_str(),
                p.profile,
                p.status.as_str(),
                p.amount.minor,
                p.amount.currency.code(),
                p.customer,
                p.subject.stored(),
                card.map(|c| serde_json::to_value(c.brand).unwrap().as_str().unwrap().to_string()),
                card.map(|c| c.last4.clone()),
                card.map(|c| c.holder.clone()),
                card.map(|c| c.expiry_month),
                card.map(|c| c.expiry_year),
                p.created_at_ms,
                p.updated_at_ms,
                p.subject_key,
            ],
        )
        .unwrap();
        for a in &g.attempts {
            tx.execute(
                "INSERT INTO attempts (id, payment_id, seq, idempotency_key, status, provider_ref, error_code, \
                 error_message, next_poll_at_ms, created_at_ms, updated_at_ms) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                params![
                    a.id,
                    a.payment_id,
                    a.seq,
                    a.idempotency_key,
                    a.status.as_str(),
                    a.provider_ref,
                    a.error_code,
                    a.error_message,
                    a.next_poll_at_ms,
                    a.created_at_ms,
                    a.updated_at_ms
                ],
            )
            .unwrap();
        }
        for t in &g.tickets {
            tx.execute(
                "INSERT INTO tickets (payment_id, number, passenger, kind, issued_at_ms) VALUES (?1,?2,?3,?4,?5)",
                params![p.id, t.number, t.passenger, t.kind.as_str(), t.issued_at_ms],
            )
            .unwrap();
        }
        for e in &unsealed_chain(&g.events) {
            tx.execute(
                "INSERT INTO events (payment_id, seq, at_ms, kind, status_before, status_after, message, data, \
                 prev_hash, hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                params![
                    e.payment_id,
                    e.seq,
                    e.at_ms,
                    e.kind.to_string(),
                    e.status_before.map(Status::as_str),
                    e.status_after.map(Status::as_str),
                    e.message,
                    e.data.to_string(),
                    e.prev_hash.as_slice(),
                    e.hash.as_slice()
                ],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    let ddl: String =
        c.query_row("SELECT sql FROM sqlite_schema WHERE name = 'events'", [], |r| r.get(0)).unwrap();
    assert!(ddl.contains("WITHOUT ROWID") && ddl.contains("prev_hash"), "{ddl}");
    path
}

/// A v2 history someone edited by hand still upgrades (the app must start); the edits are
/// carried over and "verify history" reports them.
#[test]
fn a_hand_edited_v2_history_still_migrates_and_verify_reports_the_edits() {
    let mut gen = Generator::new(14);
    let payments: Vec<Generated> = (0..12).map(|i| gen.any(NOV_20 + i * 1000)).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = v2_database(dir.path(), &payments);
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("DROP TRIGGER events_no_update;").unwrap();
    raw.execute(
        "UPDATE events SET kind = 'bogus' WHERE payment_id = ?1 AND seq = 1",
        [&payments[2].payment.id],
    )
    .unwrap();
    raw.execute(
        "UPDATE events SET data = '{\"amount\": 1e999}' WHERE payment_id = ?1 AND seq = 1",
        [&payments[4].payment.id],
    )
    .unwrap();
    raw.execute(
        "UPDATE events SET message = 'rewritten' WHERE payment_id = ?1 AND seq = 2",
        [&payments[6].payment.id],
    )
    .unwrap();
    drop(raw);

    let migrated = Store::open(&path).expect("an edited history must not stop the upgrade");
    let report = verify(&migrated);
    assert_eq!(report.checked, 12);
    let mut broken: Vec<&str> = report.broken.iter().map(|b| b.payment_id.as_str()).collect();
    broken.sort();
    let mut edited = vec![
        payments[2].payment.id.as_str(),
        payments[4].payment.id.as_str(),
        payments[6].payment.id.as_str(),
    ];
    edited.sort();
    assert_eq!(broken, edited, "{:?}", report.broken);
    assert!(report.broken.iter().any(|b| b.problem.contains("cannot be read")), "{:?}", report.broken);
    // Every other timeline came through whole.
    for g in payments.iter().filter(|g| !edited.contains(&g.payment.id.as_str())) {
        let id = g.payment.id.clone();
        assert_sealed_on_upgrade(
            &migrated.read_blocking(move |c| store::events_for(c, &id)).unwrap(),
            &g.events,
        );
    }
    // The edited one that still reads was sealed as found, and says so: the edit is never
    // sealed over.
    let id = payments[6].payment.id.clone();
    let events = migrated.read_blocking(move |c| store::events_for(c, &id)).unwrap();
    assert_eq!(events.last().unwrap().data["sealed"]["held"], false);
    let kind =
        |i: usize| report.broken.iter().find(|b| b.payment_id == payments[i].payment.id).map(|b| b.kind);
    assert_eq!(kind(6), Some(BreakKind::BrokenBeforeSealing), "{:?}", report.broken);
    assert_eq!((kind(2), kind(4)), (Some(BreakKind::Unreadable), Some(BreakKind::Unreadable)));
}

#[test]
fn a_v2_history_migrates_to_the_compact_schema_intact_searchable_and_append_only() {
    let mut gen = Generator::new(13);
    let payments: Vec<Generated> = (0..40).map(|i| gen.any(NOV_20 + i * 1000)).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = v2_database(dir.path(), &payments);
    let (_fresh_dir, fresh) = temp_store();
    put(&fresh, payments.clone());

    let before = std::fs::read(&path).unwrap();
    let migrated = Store::open(&path).unwrap();
    // The v2 file was copied whole before anything was changed, and the copy opens as v2.
    let kept = dir.path().join(format!("{}.bak-v2", store::DB_FILE));
    let copy = rusqlite::Connection::open(&kept).unwrap();
    let copy_version: i64 = copy.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    let copy_events: i64 = copy.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(copy_version, 2);
    assert_eq!(copy_events as usize, payments.iter().map(|g| g.events.len()).sum::<usize>());
    assert!(!before.is_empty());
    // Every row is there, unchanged: the same as a database created at the latest version (the
    // timeline is compared below: sealing gave it places, seals and a note each).
    let rows = dump(&migrated);
    assert!(rows.iter().filter(|r| r.starts_with("events:")).count() > 200);
    let not_events =
        |rows: Vec<String>| rows.into_iter().filter(|r| !r.starts_with("events:")).collect::<Vec<_>>();
    assert_eq!(not_events(rows), not_events(dump(&fresh)));
    let read = |sql: &'static str| -> Vec<String> {
        migrated
            .read_blocking(move |c| {
                let mut stmt = c.prepare(sql)?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap()
    };
    // The compact timeline: keyed by (pid, seq), no stored prev_hash, no second index.
    let ddl = read("SELECT sql FROM sqlite_schema WHERE name = 'events'").concat();
    assert!(ddl.contains("WITHOUT ROWID") && ddl.contains("PRIMARY KEY (pid, seq)"), "{ddl}");
    assert!(!ddl.contains("prev_hash") && !ddl.contains("payment_id"), "{ddl}");
    assert_eq!(
        read("SELECT type || ' ' || name FROM sqlite_schema WHERE tbl_name = 'events' ORDER BY name"),
        ["table events", "index events_gseq", "trigger events_no_delete", "trigger events_no_update"]
    );
    assert_eq!(read("SELECT count(*) || '' FROM pragma_foreign_key_check"), ["0"]);
    // Nothing left of the old tables, and the space they took was given back.
    assert_eq!(read("SELECT count(*) || '' FROM sqlite_schema WHERE name LIKE '%v4%'"), ["0"]);
    assert_eq!(read("SELECT freelist_count || '' FROM pragma_freelist_count"), ["0"]);
    // The search index (built over the old tables) agrees word for word with the new view.
    migrated
        .write_blocking(|c| {
            Ok(c.execute("INSERT INTO payments_fts (payments_fts, rank) VALUES ('integrity-check', 1)", [])?)
        })
        .unwrap();
    let name = payments[9].payment.customer.split([' ', '/', ',']).next().unwrap().to_string();
    let found = search(&migrated, text(&name)).unwrap().rows;
    assert!(found.iter().any(|r| r.id == payments[9].payment.id), "{name} not found after the migration");

    // Every chain still verifies, through the store and through "verify history".
    assert_eq!(verify(&migrated).broken, vec![]);
    for g in &payments {
        let id = g.payment.id.clone();
        let events = migrated.read_blocking(move |c| store::events_for(c, &id)).unwrap();
        assert_sealed_on_upgrade(&events, &g.events);
    }

    // Still append-only: updates and deletes are refused, a duplicate (payment, seq) too.
    let id = payments[5].payment.id.clone();
    let (a, b, c) = (id.clone(), id.clone(), id.clone());
    const PID: &str = "(SELECT pid FROM payments WHERE id = ?1)";
    let update = migrated.write_blocking(move |conn| {
        conn.execute(&format!("UPDATE events SET at_ms = 0 WHERE pid = {PID} AND seq = 1"), [&a])?;
        Ok(())
    });
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = migrated.write_blocking(move |conn| {
        conn.execute(&format!("DELETE FROM events WHERE pid = {PID}"), [&b])?;
        Ok(())
    });
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let duplicate = migrated.write_blocking(move |conn| {
        conn.execute(
            &format!(
                "INSERT INTO events (pid, seq, at_ms, body, hash) \
                 SELECT pid, seq, at_ms, body, hash FROM events WHERE pid = {PID} AND seq = 1"
            ),
            [&c],
        )?;
        Ok(())
    });
    assert!(duplicate.unwrap_err().to_string().contains("UNIQUE"));

    // New events still chain on after the migrated ones.
    let id = payments[5].payment.id.clone();
    let appended = migrated
        .write_blocking(move |c| {
            let tx = c.transaction()?;
            let e = store::append_event(
                &tx,
                &id,
                farepoint_core::payment::NewEvent {
                    at_ms: NOV_20 + DAY,
                    kind: farepoint_core::payment::EventKind::Note,
                    status_before: None,
                    status_after: None,
                    message: "after the migration".into(),
                    data: serde_json::json!({}),
                },
            )?;
            tx.commit()?;
            Ok(e)
        })
        .unwrap();
    let id = payments[5].payment.id.clone();
    let sealed = migrated.read_blocking(move |c| store::events_for(c, &id)).unwrap();
    assert_eq!(appended.seq, payments[5].events.len() as i64 + 2, "after the events and the sealing note");
    assert_eq!(appended.prev_hash, sealed[sealed.len() - 2].hash);
    assert_eq!(verify(&migrated).broken, vec![]);
}

/// Each payment's subject, by id, for `reference_csv_line`.
fn subjects(stored: &[Generated]) -> std::collections::HashMap<String, serde_json::Value> {
    stored.iter().map(|g| (g.payment.id.clone(), g.payment.subject.to_value())).collect()
}

/// The CSV line of one search row, written the plain way: the export's reference. `subjects`
/// gives the amounts ATRIP stated beside the total.
fn reference_csv_line(
    r: &Row,
    profile: &str,
    subjects: &std::collections::HashMap<String, serde_json::Value>,
) -> String {
    let stated = |key: &str| -> String {
        if r.provider != Provider::Atrip {
            return String::new();
        }
        serde_json::from_value::<farepoint_core::money::Money>(subjects[&r.id][key].clone())
            .map(|m| m.to_string())
            .unwrap_or_default()
    };
    let cells = [
        r.reference.clone(),
        history::utc_timestamp(r.created_at_ms),
        history::utc_timestamp(r.updated_at_ms),
        r.provider.as_str().to_string(),
        profile.to_string(),
        r.status.as_str().to_string(),
        r.amount.to_major_string(),
        r.amount.currency.code().to_string(),
        r.customer.clone(),
        r.subject_key.clone(),
        r.card.as_ref().map(|c| c.masked()).unwrap_or_default(),
        r.tickets.join(" "),
        r.id.clone(),
        stated("transaction_fee"),
        stated("airline_amount"),
        stated("card_charged"),
        r.agent.as_ref().map(|a| a.id.clone()).unwrap_or_default(),
        r.agent.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
    ];
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i == 6 {
            line.push(',');
            line.push_str(cell);
        } else {
            history::export::csv_field(&mut line, cell, i > 0);
        }
    }
    line.push_str("\r\n");
    line
}

#[test]
fn a_long_csv_export_is_every_row_in_order_and_stops_cleanly_at_a_bad_one() {
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(14);
    // More rows than one batch of the export's two threads, in several.
    let stored = put(&store, (0..1_700).map(|i| gen.any(NOV_20 + i * 60_000)).collect());
    let profile = stored[0].payment.profile.clone();
    assert!(stored.iter().all(|g| g.payment.profile == profile));
    let rows = all_pages(&store, HistoryQuery::default());
    assert_eq!(rows.len(), 1_700);
    let mut expected = String::new();
    for (i, name) in history::export::CSV_HEADER.iter().enumerate() {
        history::export::csv_field(&mut expected, name, i > 0);
    }
    expected.push_str("\r\n");
    let header_len = expected.len();
    let subjects = subjects(&stored);
    let lines: Vec<String> = rows.iter().map(|r| reference_csv_line(r, &profile, &subjects)).collect();
    expected.extend(lines.iter().cloned());
    let (bytes, progress) = export_bytes(&store, HistoryQuery::default(), ExportFormat::Csv);
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    assert_eq!(progress.last(), Some(&history::Progress { done: 1_700, total: 1_700 }));

    // A stored currency no one knows, 1,100 rows down: the export fails there, after writing
    // exactly the lines before it.
    let bad = rows[1_100].id.clone();
    store
        .write_blocking(move |c| Ok(c.execute("UPDATE payments SET currency = 'ZZZ' WHERE id = ?1", [&bad])?))
        .unwrap();
    let (out, result) = store
        .read_blocking(|c| {
            let mut out = Vec::new();
            let result =
                history::export(c, &HistoryQuery::default(), ExportFormat::Csv, &mut out, &mut |_| {});
            Ok((out, result.map_err(|e| e.to_string())))
        })
        .unwrap();
    assert!(result.unwrap_err().contains("ZZZ"));
    let written = String::from_utf8(out).unwrap();
    assert_eq!(written.len(), header_len + lines[..1_100].iter().map(String::len).sum::<usize>());
    assert!(expected.starts_with(&written));
}

#[test]
fn a_csv_export_has_each_payments_own_tickets_whatever_the_id_order() {
    // Ids are made from the creation time; here the creation times are shuffled among the
    // payments, so ids no longer follow the export's newest-first order.
    let (_dir, store) = temp_store();
    let mut gen = Generator::new(15);
    let mut payments: Vec<Generated> = (0..900).map(|i| gen.any(NOV_20 + i * 60_000)).collect();
    let mut times: Vec<i64> = payments.iter().map(|g| g.payment.created_at_ms).collect();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..times.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        times.swap(i, (x % (i as u64 + 1)) as usize);
    }
    for (g, at) in payments.iter_mut().zip(times) {
        g.payment.created_at_ms = at;
    }
    let stored = put(&store, payments);
    assert!(stored.iter().filter(|g| g.tickets.len() > 1).count() > 50);
    let profile = stored[0].payment.profile.clone();
    let rows = all_pages(&store, HistoryQuery::default());
    let mut expected = String::new();
    for (i, name) in history::export::CSV_HEADER.iter().enumerate() {
        history::export::csv_field(&mut expected, name, i > 0);
    }
    expected.push_str("\r\n");
    let subjects = subjects(&stored);
    expected.extend(rows.iter().map(|r| reference_csv_line(r, &profile, &subjects)));
    let (bytes, _) = export_bytes(&store, HistoryQuery::default(), ExportFormat::Csv);
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    // A filtered export looks tickets up per payment: the same lines.
    let atrip = HistoryQuery { providers: Some(vec!["atrip".into()]), ..Default::default() };
    let (bytes, _) = export_bytes(&store, atrip.clone(), ExportFormat::Csv);
    let lines: String =
        all_pages(&store, atrip).iter().map(|r| reference_csv_line(r, &profile, &subjects)).collect();
    assert!(String::from_utf8(bytes).unwrap().ends_with(&lines));
}

/// A history from before the profiles were kept apart holds Sandbox and Production payments in
/// one file. At start the Sandbox ones move — whole, chains intact, searchable — into the Sandbox
/// history, and the Production history keeps only its own; a second run changes nothing.
#[test]
fn sandbox_payments_of_an_older_shared_history_move_to_their_own() {
    use farepoint_core::profile::{self, Profile};
    let mut gen = Generator::new(21);
    let mut payments: Vec<Generated> = (0..30).map(|i| gen.any(NOV_20 + i * 1000)).collect();
    for g in payments.iter_mut().step_by(3) {
        g.payment.profile = "sandbox".into();
    }
    let (sandbox_ids, production_ids): (Vec<_>, Vec<_>) = payments
        .iter()
        .map(|g| (g.payment.profile.clone(), g.payment.id.clone()))
        .partition(|(p, _)| p == "sandbox");
    let (dir, main) = temp_store();
    put(&main, payments.clone());
    // The Sandbox history already has a payment of its own (same pids as the main file's).
    let sandbox_dir = profile::history_dir(dir.path(), Profile::Sandbox);
    let sandbox = Store::open_in(&sandbox_dir).unwrap();
    let mut own = gen.any(NOV_20 + 99_000);
    own.payment.profile = "sandbox".into();
    put(&sandbox, vec![own.clone()]);
    drop(sandbox);

    assert_eq!(profile::move_legacy_sandbox_payments(&main, dir.path()).unwrap(), sandbox_ids.len());
    assert_eq!(profile::move_legacy_sandbox_payments(&main, dir.path()).unwrap(), 0, "nothing left to move");

    let all = |s: &Store| -> HashSet<String> {
        ids(&search(s, HistoryQuery { limit: Some(500), ..Default::default() }).unwrap())
    };
    let expect = |list: &[(String, String)]| list.iter().map(|(_, id)| id.clone()).collect::<HashSet<_>>();
    assert_eq!(all(&main), expect(&production_ids));
    let sandbox = Store::open_in(&sandbox_dir).unwrap();
    let mut in_sandbox = expect(&sandbox_ids);
    in_sandbox.insert(own.payment.id.clone());
    assert_eq!(all(&sandbox), in_sandbox);
    // Whole: every timeline, attempt and ticket came along and every chain still verifies.
    for store in [&main, &sandbox] {
        assert_eq!(verify(store).broken, vec![]);
    }
    for g in payments.iter().filter(|g| g.payment.profile == "sandbox").chain([&own]) {
        let id = g.payment.id.clone();
        let (events, attempts, tickets) = sandbox
            .read_blocking(move |c| {
                Ok((store::events_for(c, &id)?, store::attempts_for(c, &id)?, store::tickets_for(c, &id)?))
            })
            .unwrap();
        if g.payment.id == own.payment.id {
            assert_eq!(said(&events), said(&g.events));
        } else {
            // Sealed again with the Sandbox history's key, saying where it came from.
            let (moved, before) = events.split_last().unwrap();
            assert_eq!(said(before), said(&g.events));
            assert!(moved.message.starts_with("Moved here from the Production history"), "{}", moved.message);
        }
        assert_eq!(attempts.len(), g.attempts.len());
        assert_eq!(tickets.len(), g.tickets.len());
        // Found by name in its new home.
        let word = g.payment.reference.clone();
        assert!(ids(&search(&sandbox, text(&word)).unwrap()).contains(&g.payment.id), "{word}");
        assert!(
            !ids(&search(&main, text(&word)).unwrap()).contains(&g.payment.id),
            "{word} still in Production"
        );
    }
    // The Production timeline is append-only again.
    let refused = main.write_blocking(|c| Ok(c.execute("DELETE FROM events", [])));
    assert!(refused.unwrap().is_err(), "events can be deleted after the move");
}

/// Someone who can write the history file but does not hold its key: an edited amount, a payment
/// deleted whole and the newest payments cut off are each found, by kind, in a real file — and a
/// history opened with another key seals nothing more.
#[test]
fn a_file_editor_without_the_key_cannot_hide_an_edit_a_deletion_or_a_truncation() {
    use farepoint_core::profile::Profile;
    use farepoint_core::seal::Sealing;
    use farepoint_core::secrets::{CredentialKey, MemoryStore, SecretStore, SecretString};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let keyring: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let sealing = Sealing::for_profile(Profile::Production, Some(keyring.clone()));
    let mut gen = Generator::new(31);
    let payments: Vec<Generated> = (0..20).map(|i| gen.any(NOV_20 + i * 1000)).collect();
    let open = || Store::open_in_sealed(dir.path(), &sealing).unwrap();
    let checked = |store: &Store| {
        let anchor = store.anchored_head().unwrap();
        store.read_blocking(move |c| Ok(history::verify(c, anchor, &mut |_| {}))).unwrap().unwrap()
    };
    let store = open();
    put(&store, payments.clone());
    drop(store); // the newest seal is kept outside the file as the store closes
    let clean = checked(&open());
    assert_eq!((clean.checked, clean.broken.clone(), clean.anchored), (20, vec![], true));

    // The editor works on the file directly, without Farepoint (and so without the key).
    let raw = rusqlite::Connection::open(dir.path().join(store::DB_FILE)).unwrap();
    raw.execute_batch("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;").unwrap();
    let edited = &payments[3].payment;
    raw.execute("UPDATE payments SET amount_minor = amount_minor + 100 WHERE id = ?1", [&edited.id]).unwrap();
    let delete = |id: &str| {
        for table in ["events", "attempts", "tickets", "refunds"] {
            raw.execute(
                &format!("DELETE FROM {table} WHERE pid = (SELECT pid FROM payments WHERE id = ?1)"),
                [id],
            )
            .unwrap();
        }
        raw.execute("DELETE FROM payments WHERE id = ?1", [id]).unwrap();
    };
    delete(&payments[7].payment.id);
    // The newest two: no hole is left behind them.
    delete(&payments[19].payment.id);
    delete(&payments[18].payment.id);
    drop(raw);

    let report = checked(&open());
    assert_eq!(report.checked, 17);
    let kinds: Vec<(BreakKind, &str)> =
        report.broken.iter().map(|b| (b.kind, b.reference.as_str())).collect();
    assert!(kinds.contains(&(BreakKind::PaymentEdited, edited.reference.as_str())), "{kinds:?}");
    let whole = |kind| report.broken.iter().find(|b| b.kind == kind && b.payment_id.is_empty());
    assert!(whole(BreakKind::Deleted).unwrap().problem.contains("a payment, or part of one, was deleted"));
    assert!(whole(BreakKind::Truncated).unwrap().problem.contains("the newest payments were removed"));
    assert_eq!(report.broken.len(), 3, "{:?}", report.broken);

    // Another key in the keyring (the file copied to another desk, the entry replaced): one
    // break for the whole history, and nothing more is sealed with the wrong key.
    let entry = CredentialKey::new("production", "history", "seal_key");
    keyring.set(&entry, &SecretString::from("ab".repeat(32))).unwrap();
    let store = open();
    let report = checked(&store);
    assert_eq!(report.broken.iter().map(|b| b.kind).collect::<Vec<_>>(), vec![BreakKind::WrongKey]);
    let id = payments[0].payment.id.clone();
    let refused = store.write_blocking(move |c| {
        let tx = c.transaction()?;
        let note = farepoint_core::payment::NewEvent {
            at_ms: NOV_20,
            kind: EventKind::Note,
            status_before: None,
            status_after: None,
            message: "after the key changed".into(),
            data: serde_json::json!({}),
        };
        store::append_event(&tx, &id, note)?;
        Ok(())
    });
    assert!(refused.unwrap_err().to_string().contains("sealed with another key"));
    drop(store);

    // No key at all: the history opens (to be read), and says why nothing can be sealed.
    keyring.delete(&entry).unwrap();
    let store = open();
    let missing = store
        .read_blocking(|c| Ok(history::verify(c, None, &mut |_| {}).map_err(|e| e.to_string())))
        .unwrap();
    assert!(missing.unwrap_err().contains("missing from the OS keyring"));
}
