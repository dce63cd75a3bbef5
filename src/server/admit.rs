//! Who may be served once a handshake is done: one client at a time, or `--max-conns`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Whether a client whose handshake is done may be served: in a listener that serves one
/// client at a time, the first to finish its handshake takes the place; with `--max-conns`,
/// a client takes one of the places once its handshake is done, so connections that never
/// finish a handshake (silent ones, say) take none. Those refused get 503 (WebSocket) or are
/// closed (TCP, TLS).
#[derive(Clone)]
pub struct Admit {
    first: Option<Arc<AtomicBool>>,
    places: Option<Places>,
}

/// `--max-conns`: the clients being served, and whether this connection is one of them.
#[derive(Clone)]
struct Places {
    served: Arc<AtomicUsize>,
    max: usize,
    taken: Arc<AtomicBool>,
}

impl Admit {
    /// Takes the place; the error says why not.
    pub fn claim(&self) -> Result<(), String> {
        if let Some(first) = &self.first {
            if first.swap(true, Ordering::SeqCst) {
                return Err("server busy: it serves one client at a time; try again later".into());
            }
        }
        let Some(places) = &self.places else {
            return Ok(());
        };
        let max = places.max;
        let room = places
            .served
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            });
        if room.is_err() {
            return Err(format!(
                "server busy: {max} clients already (--max-conns); try again later"
            ));
        }
        places.taken.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// This connection's place, if it took one, given back (its client has gone).
    pub(super) fn give_back(&self) {
        if let Some(places) = &self.places {
            if places.taken.swap(false, Ordering::SeqCst) {
                places.served.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// The places of one listener, an [`Admit`] per connection.
pub(super) struct Admission {
    /// One client at a time: whether the place is taken.
    first: Option<Arc<AtomicBool>>,
    /// `--max-conns`: the most clients served at once, and how many are.
    max: Option<(usize, Arc<AtomicUsize>)>,
}

impl Admission {
    /// `concurrent`: clients are served side by side (`-k` and no shared stdin/stdout), up
    /// to `max_conns`; otherwise one at a time.
    pub(super) fn new(concurrent: bool, max_conns: Option<usize>) -> Admission {
        if !concurrent {
            return Admission {
                first: Some(Arc::new(AtomicBool::new(false))),
                max: None,
            };
        }
        Admission {
            first: None,
            max: max_conns.map(|max| (max, Arc::new(AtomicUsize::new(0)))),
        }
    }

    /// The admission of one more connection.
    pub(super) fn admit(&self) -> Admit {
        Admit {
            first: self.first.clone(),
            places: self.max.as_ref().map(|(max, served)| Places {
                served: served.clone(),
                max: *max,
                taken: Arc::new(AtomicBool::new(false)),
            }),
        }
    }

    /// One at a time: the client served has gone, the next may take the place.
    pub(super) fn next_one(&self) {
        if let Some(first) = &self.first {
            first.store(false, Ordering::SeqCst);
        }
    }
}
