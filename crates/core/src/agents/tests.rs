//! The desk's agents on a real SQLite file: added, renamed, marked, given a PIN and removed;
//! chosen with the right PIN, refused and made to wait with wrong ones; remembered across a
//! restart only without a PIN; and their PINs never in the file in clear.

use std::path::Path;

use super::*;
use crate::codes::ErrorCode;

fn pin(text: &str) -> Option<Pin> {
    Some(Pin::parse(text).unwrap())
}

/// The desk of the main file in `dir`, opened as the app opens it (a blocking read).
async fn open(dir: &Path) -> Desk {
    let path = dir.join(crate::store::DB_FILE);
    tokio::task::spawn_blocking(move || Desk::open(Store::open(&path).unwrap()).unwrap()).await.unwrap()
}

fn id_of(view: &DeskView, name: &str) -> String {
    view.agents.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("{name} in {view:?}")).id.clone()
}

fn code_of(e: &AgentError) -> (Option<&str>, ErrorCode) {
    match e {
        AgentError::Field { field, problem } => (Some(*field), problem.code),
        AgentError::Refused(problem) => (None, problem.code),
        other => panic!("not a refusal: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_are_added_renamed_marked_and_removed_and_kept_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path()).await;
    assert!(desk.view().agents.is_empty());
    assert_eq!(desk.acting(), Ok(None), "a desk without agents records nobody");
    assert!(!desk.view().must_choose, "nor asks anyone to choose");

    let view = desk.add("  Ana   Pérez ", false, None).await.unwrap();
    assert_eq!(view.agents.len(), 1);
    let ana = &view.agents[0];
    assert_eq!(
        (ana.name.as_str(), ana.supervisor, ana.has_pin, ana.removed),
        ("Ana Pérez", false, false, false)
    );
    let view = desk.add("Bruno", true, pin("48213957")).await.unwrap();
    let bruno = id_of(&view, "Bruno");
    assert!(view.agents.iter().any(|a| a.id == bruno && a.supervisor && a.has_pin));

    // A name in use by an agent at work is refused, whatever its case or spacing.
    let taken = desk.add("ana  PÉREZ", false, None).await.unwrap_err();
    assert_eq!(code_of(&taken), (Some("name"), ErrorCode::AgentNameTaken));
    assert_eq!(
        taken.to_string(),
        "name: ana PÉREZ is already an agent at this desk — add a surname or an initial"
    );
    for (bad, code) in [
        ("   ", ErrorCode::AgentNameRequired),
        ("1234", ErrorCode::AgentNameText),
        (&"x".repeat(NAME_MAX + 1), ErrorCode::AgentNameText),
        ("Ana\u{7}", ErrorCode::AgentNameText),
        ("Ana 4111 1111 1111 1111", ErrorCode::CardNumberInText),
    ] {
        let e = desk.add(bad, false, None).await.unwrap_err();
        assert_eq!(code_of(&e), (Some("name"), code), "{bad:?}");
    }
    assert!(check_name(&"x".repeat(NAME_MAX)).is_ok());

    let ana = id_of(&desk.view(), "Ana Pérez");
    let view = desk.update(&ana, "Ana P. Gómez", true).await.unwrap();
    assert!(view.agents.iter().any(|a| a.id == ana && a.name == "Ana P. Gómez" && a.supervisor));
    let clash = desk.update(&ana, "bruno", true).await.unwrap_err();
    assert_eq!(code_of(&clash), (Some("name"), ErrorCode::AgentNameTaken));
    // Keeping one's own name (in another case) is no clash.
    desk.update(&ana, "ANA P. GÓMEZ", false).await.unwrap();

    let view = desk.set_pin(&ana, pin("5512")).await.unwrap();
    assert!(view.agents.iter().any(|a| a.id == ana && a.has_pin));
    let view = desk.set_pin(&ana, None).await.unwrap();
    assert!(view.agents.iter().any(|a| a.id == ana && !a.has_pin));

    // Removed: off the desk, its name free again, its row kept for the history.
    let view = desk.remove(&bruno).await.unwrap();
    assert!(view.agents.iter().all(|a| a.id != bruno));
    assert_eq!(code_of(&desk.remove(&bruno).await.unwrap_err()), (None, ErrorCode::AgentUnknown));
    assert_eq!(
        code_of(&desk.choose(&bruno, pin("48213957")).await.unwrap_err()),
        (None, ErrorCode::AgentUnknown)
    );
    assert_eq!(
        code_of(&desk.update("nobody", "X", false).await.unwrap_err()),
        (None, ErrorCode::AgentUnknown)
    );
    desk.add("Bruno", false, None).await.unwrap();
    let file = Store::open(&dir.path().join(crate::store::DB_FILE)).unwrap();
    let rows = file
        .read(|c| {
            Ok(c.query_row("SELECT count(*), count(removed_at_ms) FROM agents", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!(rows, (3, 1));

    // What was changed is what a fresh start reads.
    drop(desk);
    let again = open(dir.path()).await;
    let names: Vec<String> = again.view().agents.iter().map(|a| a.name.clone()).collect();
    assert_eq!(names, ["ANA P. GÓMEZ", "Bruno"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_with_agents_acts_only_once_someone_has_chosen_who_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path()).await;
    let view = desk.add("Carla", false, None).await.unwrap();
    let carla = id_of(&view, "Carla");
    let refused = desk.acting().unwrap_err();
    assert_eq!(refused.code, ErrorCode::AgentChoose);
    assert!(desk.view().must_choose, "the window is told to ask");
    let view = desk.choose(&carla, None).await.unwrap();
    assert_eq!(view.current.as_deref(), Some(carla.as_str()));
    assert_eq!(desk.acting(), Ok(Some(Actor { id: carla.clone(), name: "Carla".into() })));
    assert!(!desk.view().must_choose);
    // Renamed: acts from now on carry the new name.
    desk.update(&carla, "Carla Ruiz", false).await.unwrap();
    assert_eq!(desk.acting().unwrap().unwrap().name, "Carla Ruiz");
    // Removed while at the desk: nobody is, until someone chooses.
    desk.add("Dora", false, None).await.unwrap();
    let view = desk.remove(&carla).await.unwrap();
    assert_eq!(view.current, None);
    assert_eq!(desk.acting().unwrap_err().code, ErrorCode::AgentChoose);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_pin_is_refused_counted_and_after_three_the_next_must_wait() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path()).await;
    let view = desk.add("Eva", false, pin("2468")).await.unwrap();
    let eva = id_of(&view, "Eva");

    let needed = desk.choose(&eva, None).await.unwrap_err();
    assert_eq!(code_of(&needed), (Some("pin"), ErrorCode::AgentPinNeeded));
    assert_eq!(needed.to_string(), "pin: enter Eva's PIN");
    for left in [2, 1] {
        let wrong = desk.choose(&eva, pin("1357")).await.unwrap_err();
        assert_eq!(code_of(&wrong), (Some("pin"), ErrorCode::AgentPinWrong));
        assert_eq!(
            wrong.to_string(),
            format!("pin: that is not Eva's PIN — tries left before a wait: {left}")
        );
    }
    assert_eq!(desk.acting().unwrap_err().code, ErrorCode::AgentChoose, "a wrong PIN chooses nobody");
    let third = desk.choose(&eva, pin("1357")).await.unwrap_err();
    assert_eq!(code_of(&third), (Some("pin"), ErrorCode::AgentPinWait));
    assert_eq!(third.to_string(), "pin: too many wrong PINs for Eva — wait 30 seconds, then try again");
    // While waiting even the right PIN is not looked at; a restart forgives nothing.
    drop(desk);
    let desk = open(dir.path()).await;
    let waiting = desk.choose(&eva, pin("2468")).await.unwrap_err();
    assert_eq!(code_of(&waiting), (Some("pin"), ErrorCode::AgentPinWait));
    let AgentError::Field { problem, .. } = &waiting else { unreachable!() };
    let seconds: i64 = problem.params["seconds"].parse().unwrap();
    assert!((1..=30).contains(&seconds), "{seconds}");

    // Once the wait is over (moved into the past here), one more wrong PIN costs a longer one.
    let file = Store::open(&dir.path().join(crate::store::DB_FILE)).unwrap();
    let past = |file: &Store| {
        let id = eva.clone();
        let file = file.clone();
        async move {
            file.write(
                move |c| Ok(c.execute("UPDATE agents SET pin_wait_until_ms = 1 WHERE id = ?1", [&id])?),
            )
            .await
            .unwrap()
        }
    };
    past(&file).await;
    let fourth = desk.choose(&eva, pin("9999")).await.unwrap_err();
    let AgentError::Field { problem, .. } = &fourth else { unreachable!() };
    assert_eq!((problem.code, problem.params["seconds"].as_str()), (ErrorCode::AgentPinWait, "60"));
    past(&file).await;
    let view = desk.choose(&eva, pin("2468")).await.unwrap();
    assert_eq!(view.current.as_deref(), Some(eva.as_str()));
    let tries = file
        .read({
            let id = eva.clone();
            move |c| {
                Ok(c.query_row(
                    "SELECT pin_failures, pin_wait_until_ms FROM agents WHERE id = ?1",
                    [&id],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)),
                )?)
            }
        })
        .await
        .unwrap();
    assert_eq!(tries, (0, None), "the right PIN forgives the wrong ones");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_an_agent_without_a_pin_is_still_at_the_desk_one_with_a_pin_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path()).await;
    let view = desk.add("Fede", false, None).await.unwrap();
    let fede = id_of(&view, "Fede");
    let view = desk.add("Gala", false, pin("8080")).await.unwrap();
    let gala = id_of(&view, "Gala");

    desk.choose(&fede, None).await.unwrap();
    drop(desk);
    let desk = open(dir.path()).await;
    assert_eq!((desk.view().current, desk.view().last), (Some(fede.clone()), None));
    assert_eq!(desk.acting().unwrap().unwrap().id, fede);

    desk.choose(&gala, pin("8080")).await.unwrap();
    assert_eq!(desk.acting().unwrap().unwrap().id, gala);
    drop(desk);
    let desk = open(dir.path()).await;
    assert_eq!((desk.view().current, desk.view().last), (None, Some(gala.clone())));
    assert_eq!(desk.acting().unwrap_err().code, ErrorCode::AgentChoose);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pin_never_reaches_the_file_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let desk = open(dir.path()).await;
    let view = desk.add("Hugo", false, pin("73915824")).await.unwrap();
    let hugo = id_of(&view, "Hugo");
    desk.set_pin(&hugo, pin("60417392")).await.unwrap();
    let _ = desk.choose(&hugo, pin("73915824")).await.unwrap_err();
    desk.choose(&hugo, pin("60417392")).await.unwrap();

    let file = Store::open(&dir.path().join(crate::store::DB_FILE)).unwrap();
    let stored: String = file
        .read({
            let id = hugo.clone();
            move |c| Ok(c.query_row("SELECT pin_hash FROM agents WHERE id = ?1", [&id], |r| r.get(0))?)
        })
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{stored}");
    assert!(pin::verify(&Pin::parse("60417392").unwrap(), &stored));
    drop((desk, file));
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        // The WAL and its index go as the last connection closes: what is gone holds nothing.
        let Ok(bytes) = std::fs::read(&path) else { continue };
        scanned += usize::from(path.ends_with(crate::store::DB_FILE));
        for secret in ["73915824", "60417392"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a PIN in clear",
                path.display()
            );
        }
    }
    assert_eq!(scanned, 1, "the history file itself was read");
}
