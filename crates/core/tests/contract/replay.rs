//! A loopback HTTP server that answers each request with the next queued answer, verbatim, and
//! keeps every request it was sent. (Also used by engine tests, which read less of it.)
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{} sent no JSON body: {e}", self.path))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct State {
    answers: VecDeque<(u16, String)>,
    seen: Vec<Seen>,
}

pub struct Replay {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: tokio::task::JoinHandle<()>,
}

impl Replay {
    pub async fn start() -> Replay {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app =
            axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move {
                    let mut s = shared.lock().unwrap();
                    s.seen.push(Seen {
                        method,
                        path: uri.path().to_string(),
                        query: uri.query().map(str::to_string),
                        headers,
                        body,
                    });
                    match s.answers.pop_front() {
                        Some((status, body)) => Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .body(axum::body::Body::from(body))
                            .unwrap(),
                        None => (StatusCode::IM_A_TEAPOT, "no answer queued").into_response(),
                    }
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Replay { url, state, server }
    }

    /// Queues the answer to the next request.
    pub fn answer(&self, status: u16, body: impl Into<String>) -> &Self {
        self.state.lock().unwrap().answers.push_back((status, body.into()));
        self
    }

    /// Every request so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    pub fn last(&self) -> Seen {
        self.seen().pop().expect("a request was sent")
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.server.abort();
    }
}
