//! The imports `granary:grain@0.2.0` adds: `reminders` and `topics`, and its `host`, which is
//! 0.1.0's.

use super::bindings::v1::granary::grain::host as host_v1;
use super::bindings::v2::granary::grain::{host, reminders, topics};
use super::bindings::{LogLevel, WitCallError, WitGrainId};
use super::grain_state::GrainState;
use std::time::Duration;

impl topics::Host for GrainState {
    async fn publish(&mut self, topic: String, key: String, payload: Vec<u8>) -> Result<u64, String> {
        self.host.publish(&topic, &key, payload).await.map_err(|e| e.to_string())
    }
}

impl host::Host for GrainState {
    fn self_id(&mut self) -> WitGrainId {
        host_v1::Host::self_id(self)
    }

    fn log(&mut self, level: LogLevel, message: String) {
        host_v1::Host::log(self, level, message);
    }

    fn load_state(&mut self) -> Option<Vec<u8>> {
        host_v1::Host::load_state(self)
    }

    async fn save_state(&mut self, state: Vec<u8>) -> Result<(), String> {
        host_v1::Host::save_state(self, state).await
    }

    async fn call(&mut self, target: WitGrainId, method: String, payload: Vec<u8>) -> Result<Vec<u8>, WitCallError> {
        host_v1::Host::call(self, target, method, payload).await
    }

    async fn send(&mut self, target: WitGrainId, method: String, payload: Vec<u8>) -> Result<(), WitCallError> {
        host_v1::Host::send(self, target, method, payload).await
    }

    fn set_receive_timeout(&mut self, millis: u64) {
        host_v1::Host::set_receive_timeout(self, millis);
    }
}

impl reminders::Host for GrainState {
    async fn set_reminder(&mut self, name: String, due_after_ms: u64, period_ms: u64) -> Result<(), String> {
        let (due_after, period) = (Duration::from_millis(due_after_ms), Duration::from_millis(period_ms));
        self.host.set_reminder(&self.grain, &name, due_after, period).await
    }

    async fn cancel_reminder(&mut self, name: String) -> Result<bool, String> {
        self.host.cancel_reminder(&self.grain, &name).await
    }

    async fn list_reminders(&mut self) -> Result<Vec<reminders::Reminder>, String> {
        let now_ms = crate::reminders::now_ms();
        let listed = self.host.reminders_of(&self.grain).await?;
        Ok(listed
            .into_iter()
            .map(|reminder| reminders::Reminder {
                due_in_ms: reminder.due_ms.saturating_sub(now_ms),
                name: reminder.name,
                period_ms: reminder.period_ms,
                next_tick: reminder.tick,
            })
            .collect())
    }
}
