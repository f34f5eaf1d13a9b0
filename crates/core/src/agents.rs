//! The desk's agents and who is at the desk now: every payment, attempt, refund and review
//! resolution records who did it (docs/agents.md).
//!
//! - **Where they live.** Agents belong to the desk, not to a profile: they are rows of the
//!   `agents` table of the main file (beside both profiles' settings and the app's preferences),
//!   whichever profile is active.
//! - **Who is at the desk.** One agent at a time, chosen from the rail; choosing one with a PIN
//!   needs it (`pin.rs`: a slow hash, a wait after a few wrong tries in a row, both kept in the
//!   file so a restart does not forgive them). The choice is remembered for the next start only
//!   for an agent without a PIN: one with a PIN is asked again.
//! - **The rule for an act.** A desk with no agents records none (`acting` is `Ok(None)`). Once a
//!   desk has agents, nothing that moves money or settles a payment is done until someone has
//!   chosen who they are (`agent_choose`), and what is done records that agent's id and their
//!   name at that moment (`Actor`), on the row and in the sealed event, never rewritten.
//!   A shift close (a later issue) is recorded the same way: its `Actor` on its own row and in
//!   its event.
//! - **Supervisors.** An agent may be marked supervisor (Settings); nothing asks for one yet.

mod pin;
mod roster;

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::codes::{CodedError, ErrorCode};
use crate::store::{Store, StoreError};

pub use pin::{tries_left, wait_after, Pin, PinEntry, FREE_TRIES, LONGEST_WAIT, PIN_MAX, PIN_MIN};

/// The longest name an agent goes by, in characters.
pub const NAME_MAX: usize = 40;

/// An agent of the desk, as Settings and the rail's switch show them: never their PIN or its
/// hash, only whether they have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub supervisor: bool,
    pub has_pin: bool,
    /// Taken off the desk: kept, as the history names them, but never chosen again.
    pub removed: bool,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Agent {
    /// This agent as an act records them now.
    pub fn actor(&self) -> Actor {
        Actor { id: self.id.clone(), name: self.name.clone() }
    }
}

/// Who did something, as recorded when they did it: the agent's id and their name at the time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name: String,
}

impl Actor {
    /// `data` with `"agent": {id, name}` added, as the timeline event recording the act keeps it.
    pub fn stamp(by: Option<&Actor>, mut data: Value) -> Value {
        if let (Some(by), Some(map)) = (by, data.as_object_mut()) {
            map.insert("agent".into(), serde_json::json!({ "id": by.id, "name": by.name }));
        }
        data
    }

    /// The actor a stored pair of columns names, when both are there.
    pub fn from_columns(id: Option<String>, name: Option<String>) -> Option<Actor> {
        Some(Actor { id: id?, name: name? })
    }
}

/// What the window shows of the desk: its agents at work, who is at the desk, and who was last
/// (an agent with a PIN, asked again after a restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskView {
    pub agents: Vec<Agent>,
    pub current: Option<String>,
    pub last: Option<String>,
    /// Nothing will be done until someone chooses who they are (`acting` refuses): the window
    /// asks at once.
    pub must_choose: bool,
    pub pin_min: usize,
    pub pin_max: usize,
    pub name_max: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// One field of the request is wrong (`name`, `pin`): what to change in it, by code.
    #[error("{field}: {}", problem.english())]
    Field { field: &'static str, problem: CodedError },
    /// Refused as a whole (an agent no longer at the desk).
    #[error("{}", .0.english())]
    Refused(CodedError),
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

impl AgentError {
    /// The refusal as a code and its parameters, for the window; `None` for a store error (the
    /// shell sends `storage`).
    pub fn coded(&self) -> Option<CodedError> {
        match self {
            AgentError::Store(_) => None,
            AgentError::Field { problem, .. } => Some(problem.clone()),
            AgentError::Refused(problem) => Some(problem.clone()),
            AgentError::Hash(reason) => Some(CodedError::new(ErrorCode::Internal).with("reason", reason)),
        }
    }

    fn name(problem: CodedError) -> AgentError {
        AgentError::Field { field: "name", problem }
    }

    fn pin(problem: CodedError) -> AgentError {
        AgentError::Field { field: "pin", problem }
    }

    fn gone() -> AgentError {
        AgentError::Refused(CodedError::new(ErrorCode::AgentUnknown))
    }
}

/// An agent's name as kept: trimmed, inner spaces made single; refused when empty, longer than
/// `NAME_MAX`, without a letter, with a control character or holding a card number.
pub fn check_name(text: &str) -> Result<String, CodedError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(CodedError::new(ErrorCode::AgentNameRequired));
    }
    if name.chars().count() > NAME_MAX
        || name.chars().any(char::is_control)
        || !name.chars().any(char::is_alphabetic)
    {
        return Err(CodedError::new(ErrorCode::AgentNameText).with("max", NAME_MAX));
    }
    // A name is on every row and event of their acts: no card number may ride along.
    if crate::redact::redact_text(&name) != name {
        return Err(CodedError::new(ErrorCode::CardNumberInText));
    }
    Ok(name)
}

/// How names are compared: "ana pérez" and "Ana  Pérez" are one agent's name.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// The desk's agents and who is at the desk. Cheap to clone; kept in the app's state and read by
/// the engine before each act (`acting`). Every change goes through it, so what it holds is what
/// the file holds.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<Inner>,
}

struct Inner {
    /// The main file.
    store: Store,
    state: Mutex<State>,
    /// One change or PIN check at a time: two wrong PINs typed at once count as two.
    changing: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    agents: Vec<Agent>,
    current: Option<String>,
    last: Option<String>,
}

impl State {
    fn acting(&self) -> Result<Option<Actor>, CodedError> {
        let current =
            self.current.as_ref().and_then(|id| self.agents.iter().find(|a| &a.id == id && !a.removed));
        match current {
            Some(agent) => Ok(Some(agent.actor())),
            None if self.agents.iter().any(|a| !a.removed) => Err(CodedError::new(ErrorCode::AgentChoose)),
            None => Ok(None),
        }
    }
}

impl Desk {
    /// The desk as the main file keeps it. The agent last chosen is at the desk again only if
    /// they have no PIN (a PIN is asked again after a restart); one with a PIN is `last`.
    pub fn open(store: Store) -> Result<Desk, StoreError> {
        let (agents, last) = store.read_blocking(|c| Ok((roster::all(c)?, roster::last_chosen(c)?)))?;
        let mut state = State { agents, current: None, last: None };
        match last.and_then(|id| state.agents.iter().find(|a| a.id == id && !a.removed)) {
            Some(agent) if !agent.has_pin => state.current = Some(agent.id.clone()),
            Some(agent) => state.last = Some(agent.id.clone()),
            None => {}
        }
        Ok(Desk {
            inner: Arc::new(Inner { store, state: Mutex::new(state), changing: tokio::sync::Mutex::new(()) }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The agents at work, who is at the desk and who was last.
    pub fn view(&self) -> DeskView {
        let state = self.state();
        DeskView {
            agents: state.agents.iter().filter(|a| !a.removed).cloned().collect(),
            current: state.current.clone(),
            last: state.last.clone(),
            must_choose: state.acting().is_err(),
            pin_min: PIN_MIN,
            pin_max: PIN_MAX,
            name_max: NAME_MAX,
        }
    }

    /// Who an act now is recorded as: nobody on a desk without agents; the agent at the desk,
    /// as they are named now; refused (`agent_choose`) while the desk has agents and none is
    /// chosen.
    pub fn acting(&self) -> Result<Option<Actor>, CodedError> {
        self.state().acting()
    }

    /// Re-reads the agents from the file after a change.
    async fn reload(&self) -> Result<DeskView, AgentError> {
        let agents = self.inner.store.read(|c| roster::all(c)).await?;
        {
            let mut state = self.state();
            let at_work = |id: &Option<String>| {
                id.as_ref().filter(|id| agents.iter().any(|a| &a.id == *id && !a.removed)).cloned()
            };
            state.current = at_work(&state.current);
            state.last = at_work(&state.last);
            state.agents = agents;
        }
        Ok(self.view())
    }

    /// Adds an agent, with a PIN if given; the name must be free among the agents at work.
    pub async fn add(&self, name: &str, supervisor: bool, pin: Option<Pin>) -> Result<DeskView, AgentError> {
        let name = check_name(name).map_err(AgentError::name)?;
        let _one = self.inner.changing.lock().await;
        let hash = match pin {
            Some(pin) => Some(hash_off_thread(pin).await?),
            None => None,
        };
        let now = crate::now_ms();
        let agent = Agent {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.clone(),
            supervisor,
            has_pin: hash.is_some(),
            removed: false,
            created_at_ms: now,
            updated_at_ms: now,
        };
        let key = name_key(&name);
        let added = self
            .inner
            .store
            .write(move |c| {
                if roster::name_in_use(c, &key, None)? {
                    return Ok(false);
                }
                roster::insert(c, &agent, &key, hash.as_deref())?;
                Ok(true)
            })
            .await?;
        if !added {
            return Err(AgentError::name(CodedError::new(ErrorCode::AgentNameTaken).with("name", name)));
        }
        self.reload().await
    }

    /// Renames an agent and marks them supervisor or not. What the history recorded under their
    /// old name stays as it was.
    pub async fn update(&self, id: &str, name: &str, supervisor: bool) -> Result<DeskView, AgentError> {
        let name = check_name(name).map_err(AgentError::name)?;
        let _one = self.inner.changing.lock().await;
        let (id, key, now, kept) = (id.to_string(), name_key(&name), crate::now_ms(), name.clone());
        let changed = self
            .inner
            .store
            .write(move |c| {
                if roster::name_in_use(c, &key, Some(&id))? {
                    return Ok(None);
                }
                Ok(Some(roster::update(c, &id, &kept, &key, supervisor, now)?))
            })
            .await?;
        match changed {
            None => Err(AgentError::name(CodedError::new(ErrorCode::AgentNameTaken).with("name", name))),
            Some(false) => Err(AgentError::gone()),
            Some(true) => self.reload().await,
        }
    }

    /// Gives an agent a new PIN, or takes theirs away (`None`); their wrong tries are forgiven.
    pub async fn set_pin(&self, id: &str, pin: Option<Pin>) -> Result<DeskView, AgentError> {
        let _one = self.inner.changing.lock().await;
        let hash = match pin {
            Some(pin) => Some(hash_off_thread(pin).await?),
            None => None,
        };
        let (id, now) = (id.to_string(), crate::now_ms());
        let changed =
            self.inner.store.write(move |c| roster::set_pin_hash(c, &id, hash.as_deref(), now)).await?;
        if !changed {
            return Err(AgentError::gone());
        }
        self.reload().await
    }

    /// Takes an agent off the desk: never chosen again, still named by the history. If they
    /// were at the desk, nobody is now.
    pub async fn remove(&self, id: &str) -> Result<DeskView, AgentError> {
        let _one = self.inner.changing.lock().await;
        let (id, now) = (id.to_string(), crate::now_ms());
        let changed = self.inner.store.write(move |c| roster::remove(c, &id, now)).await?;
        if !changed {
            return Err(AgentError::gone());
        }
        self.reload().await
    }

    /// Puts `id` at the desk. An agent with a PIN must give it: a wrong one is refused and
    /// counted, and after `FREE_TRIES` in a row each further try must wait (`wait_after`) —
    /// refused without even being checked until then. The right one forgives the wrong ones.
    pub async fn choose(&self, id: &str, pin: Option<Pin>) -> Result<DeskView, AgentError> {
        let _one = self.inner.changing.lock().await;
        let agent_id = id.to_string();
        let (state, agent) = self
            .inner
            .store
            .read(move |c| Ok((roster::pin_state(c, &agent_id)?, roster::get(c, &agent_id)?)))
            .await?;
        let (Some(state), Some(agent)) = (state, agent) else { return Err(AgentError::gone()) };
        if let Some(hash) = state.hash {
            let now = crate::now_ms();
            // A clock set back never makes the wait longer than the longest.
            let left_ms = state
                .wait_until_ms
                .map_or(0, |until| (until - now).clamp(0, LONGEST_WAIT.as_millis() as i64));
            if left_ms > 0 {
                let seconds = (left_ms + 999) / 1000;
                return Err(AgentError::pin(
                    CodedError::new(ErrorCode::AgentPinWait)
                        .with("name", &agent.name)
                        .with("seconds", seconds),
                ));
            }
            let Some(pin) = pin else {
                return Err(AgentError::pin(
                    CodedError::new(ErrorCode::AgentPinNeeded).with("name", &agent.name),
                ));
            };
            let right = tokio::task::spawn_blocking(move || pin::verify(&pin, &hash))
                .await
                .map_err(|e| AgentError::Hash(e.to_string()))?;
            if !right {
                let failures = state.failures.saturating_add(1);
                let wait = wait_after(failures);
                let until = wait.map(|w| crate::now_ms() + w.as_millis() as i64);
                let agent_id = agent.id.clone();
                self.inner.store.write(move |c| roster::note_tries(c, &agent_id, failures, until)).await?;
                tracing::warn!(agent = %agent.id, failures, "a wrong PIN was typed for an agent");
                let problem = match wait {
                    Some(wait) => CodedError::new(ErrorCode::AgentPinWait)
                        .with("name", &agent.name)
                        .with("seconds", wait.as_secs()),
                    None => CodedError::new(ErrorCode::AgentPinWrong)
                        .with("name", &agent.name)
                        .with("left", tries_left(failures)),
                };
                return Err(AgentError::pin(problem));
            }
        }
        let (agent_id, now) = (agent.id.clone(), crate::now_ms());
        self.inner
            .store
            .write(move |c| {
                roster::note_tries(c, &agent_id, 0, None)?;
                roster::note_chosen(c, &agent_id, now)
            })
            .await?;
        {
            let mut state = self.state();
            state.current = Some(agent.id.clone());
            state.last = None;
        }
        tracing::info!(agent = %agent.id, "an agent is at the desk");
        self.reload().await
    }
}

/// Hashes a PIN on a blocking thread: the hash is slow on purpose.
async fn hash_off_thread(pin: Pin) -> Result<String, AgentError> {
    tokio::task::spawn_blocking(move || pin::hash(&pin))
        .await
        .map_err(|e| AgentError::Hash(e.to_string()))?
        .map_err(AgentError::Hash)
}

#[cfg(test)]
mod tests;
