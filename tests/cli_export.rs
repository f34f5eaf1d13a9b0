//! `farepoint export` and `farepoint verify`: the built binary run with no display, against a
//! data dir seeded through farepoint-core.

use std::path::Path;
use std::process::{Command, Output};

use farepoint_core::payment::Provider;
use farepoint_core::profile::Profile;
use farepoint_core::store::Store;
use farepoint_testkit::sample::{self, Generator, Outcome};

/// 2026-11-20T00:00:00Z.
const NOV_20: i64 = 1_795_132_800_000;
const DAY: i64 = 86_400_000;

/// 40 payments over four days from Nov 19, one of them for a guest whose name needs quoting.
fn seed(dir: &Path) -> Vec<sample::Generated> {
    let mut gen = Generator::new(42);
    let mut payments: Vec<_> = (0..40).map(|i| gen.any(NOV_20 - DAY + i * (DAY / 10))).collect();
    let mut tricky = gen.payment(Provider::HolidayExtras, Outcome::Success, NOV_20 + 5, None);
    tricky.payment.customer = "Muñoz, \"Lucha\"\nsecond line".into();
    payments.push(tricky);
    let store = production_store(dir);
    sample::store_all(&store, &payments).unwrap();
    // These are Production payments, in the Production history (the main file): the desk is in
    // Production, so the commands read it by default.
    store.write_blocking(|c| farepoint_core::profile::set_active(c, Profile::Production, 1)).unwrap();
    payments
}

/// The Production history in `dir` as the app opens it: sealed with this computer's key, its
/// newest seal kept in the OS keyring (the test session's own).
fn production_store(dir: &Path) -> Store {
    let keyring = farepoint_core::secrets::KeyringStore::new().unwrap();
    let sealing =
        farepoint_core::seal::Sealing::for_profile(Profile::Production, Some(std::sync::Arc::new(keyring)));
    Store::open_in_sealed(dir, &sealing).unwrap()
}

/// The app binary with the data dir set and no display of any kind.
fn farepoint(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_farepoint"))
        .args(args)
        .env("FAREPOINT_DATA_DIR", data_dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn help_names_the_options_and_the_apps_own_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_farepoint"))
        .args(["export", "--help"])
        .env_remove("FAREPOINT_DATA_DIR")
        .env_remove("DISPLAY")
        .env("HOME", dir.path())
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(help.starts_with("usage: farepoint export --format csv|json"), "{help}");
    for option in
        ["--out FILE", "--query TEXT", "--provider", "--status", "--currency", "--from", "--to", "--data-dir"]
    {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    // The default is Tauri's app data dir: <XDG data dir>/<identifier from tauri.conf.json>.
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json")).unwrap(),
    )
    .unwrap();
    let expected = dir.path().join(".local/share").join(conf["identifier"].as_str().unwrap());
    assert!(help.contains(&expected.display().to_string()), "{help}");
    let verify = farepoint(dir.path(), &["verify", "--help"]);
    assert_eq!(verify.status.code(), Some(0));
    assert!(text(&verify.stdout).starts_with("usage: farepoint verify"));
}

#[test]
fn bad_arguments_say_what_to_fix_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let cases: &[(&[&str], &str)] = &[
        (&["export"], "--format is required"),
        (&["export", "--format", "xml"], "csv or json"),
        (&["export", "--format", "csv", "--from", "2026-13-01"], "YYYY-MM-DD"),
        (
            &["export", "--format", "csv", "--from", "2026-11-21", "--to", "2026-11-20"],
            "starts after it ends",
        ),
        (&["export", "--format", "csv", "--status", "Bogus"], "unknown status 'Bogus'"),
        (&["export", "--format", "csv", "--provider", "paypal"], "unknown provider 'paypal'"),
        (&["export", "--format", "csv", "--bogus"], "unknown option '--bogus'"),
        (&["export", "--format"], "--format needs a value"),
        (&["verify", "--quick"], "unknown option '--quick'"),
    ];
    for (args, says) in cases {
        let out = farepoint(dir.path(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?} should say {says:?}, said: {err}");
        assert!(err.contains("--help"), "{args:?} points to --help: {err}");
        assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn csv_goes_to_stdout_with_filters_and_json_to_a_file_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());

    let out = farepoint(dir.path(), &["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.starts_with("reference,created_at_utc,"), "{csv}");
    // 41 records + header; the tricky name's newline is inside quotes, not a record end.
    assert_eq!(csv.matches("\r\n").count(), 42);
    assert!(csv.contains("\"Muñoz, \"\"Lucha\"\"\nsecond line\""));

    // Filters: ATRIP and Travelport payments created on Nov 20 (UTC), the whole day.
    let out = farepoint(
        dir.path(),
        &[
            "export",
            "--format=csv",
            "--provider",
            "atrip,travelport",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-20",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let want: Vec<&str> = seeded
        .iter()
        .filter(|g| matches!(g.payment.provider, Provider::Atrip | Provider::Travelport))
        .filter(|g| (NOV_20..NOV_20 + DAY).contains(&g.payment.created_at_ms))
        .map(|g| g.payment.reference.as_str())
        .collect();
    let csv = text(&out.stdout);
    let got: Vec<&str> = csv.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| &l[..13]).collect();
    let mut want_sorted = want.clone();
    let mut got_sorted = got.clone();
    want_sorted.sort();
    got_sorted.sort();
    assert!(!want.is_empty());
    assert_eq!(got_sorted, want_sorted);

    // A text query.
    let name = seeded[3].payment.customer.split([' ', '/', ',']).next().unwrap().to_string();
    let out = farepoint(dir.path(), &["export", "--format", "json", "--query", &name]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.iter().any(|r| r["reference"] == seeded[3].payment.reference.as_str()));
    assert!(
        rows.len() < seeded.len(),
        "--query {name} narrowed nothing: {} of {} rows",
        rows.len(),
        seeded.len()
    );

    // JSON into a file: complete when it appears, progress on stderr.
    let target = dir.path().join("out/export.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let out = farepoint(dir.path(), &["export", "--format", "json", "--out", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("exported 41 of 41 payments"), "{err}");
    assert!(err.contains(&format!("wrote 41 payments to {}", target.display())), "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(rows.len(), 41);
    assert_eq!(std::fs::read_dir(target.parent().unwrap()).unwrap().count(), 1, "no partial file left");

    // --data-dir wins over the environment.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_farepoint"))
        .args(["export", "--format", "csv", "--data-dir"])
        .arg(dir.path())
        .env("FAREPOINT_DATA_DIR", empty.path())
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("\r\n").count(), 42);
}

#[test]
fn a_missing_database_is_an_error_not_an_empty_export() {
    let empty = tempfile::tempdir().unwrap();
    let out = farepoint(empty.path(), &["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no Farepoint database in"), "{}", text(&out.stderr));
    assert!(!empty.path().join("farepoint.sqlite3").exists(), "nothing created");
}

#[test]
fn verify_reports_a_clean_history_and_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("checked 41 payments: every timeline holds together"));

    // Someone with the file drops the append-only trigger and rewrites an event.
    let victim = seeded[5].payment.clone();
    let raw =
        farepoint_core::store::Connection::open(dir.path().join(farepoint_core::store::DB_FILE)).unwrap();
    raw.execute_batch("DROP TRIGGER events_no_update").unwrap();
    raw.execute(
        "UPDATE events SET at_ms = at_ms + 1 WHERE pid = (SELECT pid FROM payments WHERE id = ?1) AND seq = 1",
        [&victim.id],
    )
    .unwrap();
    drop(raw);
    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(report.contains("1 do not hold together"), "{report}");
    assert!(report.contains(&victim.reference) && report.contains("event 1 was altered"), "{report}");
}

/// The file edited without the key: an amount raised, a payment deleted whole, the newest two
/// cut off. `farepoint verify` names each, exits 1, and said the history was whole before.
#[test]
fn verify_names_an_edited_amount_a_deleted_payment_and_a_cut_off_end() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed(dir.path());
    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("it ends where this computer last saw it"), "{}", text(&out.stdout));

    // The newest payments are the last ones stored (the seed stores them in order).
    let raw =
        farepoint_core::store::Connection::open(dir.path().join(farepoint_core::store::DB_FILE)).unwrap();
    raw.execute_batch("DROP TRIGGER events_no_delete").unwrap();
    let edited = &seeded[3].payment;
    raw.execute("UPDATE payments SET amount_minor = amount_minor * 10 WHERE id = ?1", [&edited.id]).unwrap();
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
    delete(&seeded[10].payment.id);
    let n = seeded.len();
    delete(&seeded[n - 1].payment.id);
    delete(&seeded[n - 2].payment.id);
    drop(raw);

    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains(&format!("checked {} payments: 1 do not hold together", n - 3)), "{report}");
    assert!(
        report.contains(&edited.reference)
            && report.contains("amount, currency, reference, customer or what it pays was changed"),
        "{report}"
    );
    assert!(report.contains("the history as a whole: event") && report.contains("was deleted"), "{report}");
    assert!(report.contains("the newest payments were removed"), "{report}");
}

/// Beside a running app (its store open for writing and its desk lock held), export and verify
/// still work — read-only, without the lock. A history the app has not upgraded yet is refused,
/// never migrated or vacuumed by a command that only reads.
#[test]
fn export_and_verify_read_beside_the_app_and_never_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let app_lock = farepoint_core::desk_lock::DeskLock::acquire(dir.path()).unwrap();
    let app_store = production_store(dir.path());
    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = farepoint(dir.path(), &["export", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 41);
    drop(app_store);
    drop(app_lock);

    // An older history: refused with what to do, and left exactly as it was.
    let db = dir.path().join(farepoint_core::store::DB_FILE);
    let old = farepoint_core::store::SCHEMA_VERSION - 1;
    let set_version = |v: i64| {
        Store::open(&db)
            .unwrap()
            .write_blocking(move |c| Ok(c.pragma_update(None, "user_version", v)?))
            .unwrap()
    };
    set_version(old);
    for args in [&["verify"][..], &["export", "--format", "csv"][..]] {
        let out = farepoint(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains("open the Farepoint app once"), "{}", text(&out.stderr));
    }
    let version: i64 = Store::open_read_only(&db)
        .err()
        .map(|e| match e {
            farepoint_core::store::StoreError::NeedsUpgrade { found, .. } => found,
            other => panic!("{other}"),
        })
        .unwrap();
    assert_eq!(version, old, "still the older version: nothing migrated it");
    let copies = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".bak-"));
    assert_eq!(copies.count(), 0, "no upgrade copy: nothing was upgraded");
}

/// `--profile` picks whose history is read; by default the app's active profile. The Sandbox
/// history is kept apart, so a Production export never lists a Sandbox payment.
#[test]
fn each_profile_exports_its_own_history() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let sandbox_dir = farepoint_core::profile::history_dir(dir.path(), Profile::Sandbox);
    let mut gen = Generator::new(7);
    let mut play = gen.payment(Provider::HolidayExtras, Outcome::Success, NOV_20, None);
    play.payment.profile = "sandbox".into();
    sample::store_all(&Store::open_in(&sandbox_dir).unwrap(), std::slice::from_ref(&play)).unwrap();
    let count = |args: &[&str]| -> usize {
        let out = farepoint(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap().len()
    };
    assert_eq!(count(&["export", "--format", "json"]), 41, "the active profile (Production)");
    assert_eq!(count(&["export", "--format", "json", "--profile", "production"]), 41);
    assert_eq!(count(&["export", "--format", "json", "--profile", "sandbox"]), 1);
    let out = farepoint(dir.path(), &["verify", "--profile", "sandbox"]);
    assert!(text(&out.stdout).contains("checked 1 payments"), "{}", text(&out.stdout));
}

/// Who took each payment is in every export and filters it (`--agent`, and `--query` by name);
/// a history whose payments name their agents verifies.
#[test]
fn export_names_who_took_each_payment_and_filters_by_agent() {
    use farepoint_core::agents::Actor;
    let dir = tempfile::tempdir().unwrap();
    let mut gen = Generator::new(7);
    let zelda = Actor { id: "agent-zelda".into(), name: "Zelda Quirke".into() };
    let mut payments: Vec<_> = (0..12).map(|i| gen.any(NOV_20 + i * (DAY / 20))).collect();
    for g in payments.iter_mut().step_by(3) {
        g.payment.agent = Some(zelda.clone());
        for a in &mut g.attempts {
            a.agent = Some(zelda.clone());
        }
    }
    let taken: Vec<String> =
        payments.iter().filter(|g| g.payment.agent.is_some()).map(|g| g.payment.reference.clone()).collect();
    assert_eq!(taken.len(), 4);
    let store = production_store(dir.path());
    sample::store_all(&store, &payments).unwrap();
    store.write_blocking(|c| farepoint_core::profile::set_active(c, Profile::Production, 1)).unwrap();
    drop(store);

    let out = farepoint(dir.path(), &["export", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(lines.next().unwrap().ends_with(",agent_id,agent_name"), "{csv}");
    for line in lines {
        let by_zelda = taken.iter().any(|r| line.starts_with(r.as_str()));
        let named = line.ends_with(",agent-zelda,Zelda Quirke");
        assert_eq!(by_zelda, named, "{line}");
        assert!(named || line.ends_with(",,"), "{line}");
    }

    let references = |args: &[&str]| -> Vec<String> {
        let out = farepoint(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut refs: Vec<String> =
            rows.iter().map(|r| r["reference"].as_str().unwrap().to_string()).collect();
        refs.sort();
        refs
    };
    let mut want = taken.clone();
    want.sort();
    assert_eq!(references(&["export", "--format", "json", "--agent", "agent-zelda"]), want);
    assert_eq!(references(&["export", "--format", "json", "--query", "Quirke"]), want);
    assert!(references(&["export", "--format", "json", "--agent", "agent-nobody"]).is_empty());

    let out = farepoint(dir.path(), &["verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("checked 12 payments: every timeline holds together"));
}
