//! `granary:grain/typed-calls`: which grain a grain's calls through an imported typed
//! interface go to.

use super::bindings::WitGrainId;
use super::bindings::typed::granary::grain::typed_calls;
use super::grain_state::GrainState;
use crate::ids::GrainId;

impl typed_calls::Host for GrainState {
    fn bind(&mut self, target: WitGrainId) -> Result<(), String> {
        let target = GrainId::new(target.kind, target.identity).map_err(|e| e.to_string())?;
        let interfaces = self
            .host
            .typed_interfaces(target.kind().as_str())
            .ok_or_else(|| format!("kind {:?} is unknown here or exports no typed interface", target.kind()))?;
        for interface in interfaces {
            self.typed_targets.insert(interface, target.clone());
        }
        Ok(())
    }
}
