//! Events for live updates (the streaming API): published after the change that
//! causes them commits, received by every open stream of this process. The bus
//! is a trait so that several Kith processes can later share one (PostgreSQL
//! LISTEN/NOTIFY, say); today it is an in-process broadcast channel.
use std::sync::Arc;

use tokio::sync::broadcast;

#[derive(Clone, Debug)]
pub enum Event {
    /// A new status (or boost): to the home streams of `readers`, and to the
    /// public streams when `public` is `Some(local)`.
    Update {
        status_id: i64,
        readers: Arc<Vec<i64>>,
        public: Option<bool>,
        tags: Arc<Vec<String>>,
    },
    /// A status was edited.
    StatusUpdate {
        status_id: i64,
        readers: Arc<Vec<i64>>,
        public: Option<bool>,
    },
    /// A status is gone.
    Delete { status_id: i64 },
    /// A notification for a local account.
    Notification {
        account_id: i64,
        notification_id: i64,
    },
    /// The account's filters changed (apps reload them).
    FiltersChanged { account_id: i64 },
    /// A direct message changed these local accounts' conversations.
    Conversation {
        account_ids: Arc<Vec<i64>>,
        status_id: i64,
    },
}

pub trait EventBus: Send + Sync {
    fn publish(&self, event: Event);
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// One process's bus.
pub struct LocalBus(broadcast::Sender<Event>);

impl Default for LocalBus {
    fn default() -> Self {
        LocalBus(broadcast::channel(4096).0)
    }
}

impl EventBus for LocalBus {
    fn publish(&self, event: Event) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.0.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }
}

/// Events gathered during a transaction, published once it commits.
#[derive(Default)]
pub struct Pending(Vec<Event>);

impl Pending {
    pub fn push(&mut self, e: Event) {
        self.0.push(e);
    }

    pub fn publish(self, bus: &dyn EventBus) {
        for e in self.0 {
            bus.publish(e);
        }
    }
}
