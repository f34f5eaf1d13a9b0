//! The desk's agents: Settings adds, renames, marks, gives or takes a PIN and removes them; the
//! rail's switch says who is at the desk. The rules are `farepoint_core::agents`'s; a PIN
//! arrives as a `PinEntry` (wiped, never printed) and is read by the core at once.

use farepoint_core::agents::{AgentError, DeskView, Pin, PinEntry};
use tauri::State;

use super::{bounded, CommandError, MAX_ID, MAX_SHORT};
use crate::AppState;

impl From<AgentError> for CommandError {
    fn from(e: AgentError) -> Self {
        match (&e, e.coded()) {
            (AgentError::Field { field, .. }, Some(coded)) => CommandError::field(field, coded),
            (_, Some(coded)) => CommandError::said(coded),
            (_, None) => CommandError::storage(e),
        }
    }
}

/// The PIN typed, read as the core reads one; none when the window sent none.
fn pin(entry: Option<PinEntry>) -> Result<Option<Pin>, CommandError> {
    entry.map(|e| e.parse().map_err(|problem| CommandError::field("pin", problem))).transpose()
}

/// The desk's agents, who is at the desk and who was last.
#[tauri::command]
pub fn desk_agents(state: State<'_, AppState>) -> DeskView {
    state.desk.view()
}

#[tauri::command]
pub async fn add_agent(
    state: State<'_, AppState>,
    name: String,
    supervisor: bool,
    pin: Option<PinEntry>,
) -> Result<DeskView, CommandError> {
    bounded("name", &name, MAX_SHORT)?;
    let pin = self::pin(pin)?;
    Ok(state.desk.add(&name, supervisor, pin).await?)
}

/// A new name (the history keeps the old one where it recorded it) and supervisor or not.
#[tauri::command]
pub async fn update_agent(
    state: State<'_, AppState>,
    agent_id: String,
    name: String,
    supervisor: bool,
) -> Result<DeskView, CommandError> {
    bounded("agent_id", &agent_id, MAX_ID)?;
    bounded("name", &name, MAX_SHORT)?;
    Ok(state.desk.update(&agent_id, &name, supervisor).await?)
}

/// A new PIN, or none (`pin` left out) to take the agent's away.
#[tauri::command]
pub async fn set_agent_pin(
    state: State<'_, AppState>,
    agent_id: String,
    pin: Option<PinEntry>,
) -> Result<DeskView, CommandError> {
    bounded("agent_id", &agent_id, MAX_ID)?;
    let pin = self::pin(pin)?;
    Ok(state.desk.set_pin(&agent_id, pin).await?)
}

#[tauri::command]
pub async fn remove_agent(state: State<'_, AppState>, agent_id: String) -> Result<DeskView, CommandError> {
    bounded("agent_id", &agent_id, MAX_ID)?;
    Ok(state.desk.remove(&agent_id).await?)
}

/// Puts an agent at the desk; one with a PIN gives it.
#[tauri::command]
pub async fn choose_agent(
    state: State<'_, AppState>,
    agent_id: String,
    pin: Option<PinEntry>,
) -> Result<DeskView, CommandError> {
    bounded("agent_id", &agent_id, MAX_ID)?;
    let pin = self::pin(pin)?;
    Ok(state.desk.choose(&agent_id, pin).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use farepoint_core::codes::{CodedError, ErrorCode};

    #[test]
    fn a_refused_field_reaches_the_window_under_its_field_and_a_refusal_by_its_code() {
        let wrong = CommandError::from(AgentError::Field {
            field: "pin",
            problem: CodedError::new(ErrorCode::AgentPinWrong).with("name", "Bruno").with("left", 2),
        });
        assert_eq!(
            (wrong.code, wrong.fields[0].field.as_str(), wrong.fields[0].code),
            ("invalid", "pin", "agent_pin_wrong")
        );
        assert_eq!(wrong.fields[0].params["left"], "2");
        assert_eq!(wrong.message, "that is not Bruno's PIN — tries left before a wait: 2");
        let gone = CommandError::from(AgentError::Refused(CodedError::new(ErrorCode::AgentUnknown)));
        assert_eq!((gone.code, gone.fields.len()), ("agent_unknown", 0));
        // A PIN the core cannot read is refused at its field before anything else happens.
        let short = pin(Some(PinEntry::from("12"))).unwrap_err();
        assert_eq!((short.fields[0].field.as_str(), short.fields[0].code), ("pin", "agent_pin_format"));
        assert!(pin(None).unwrap().is_none());
    }
}
